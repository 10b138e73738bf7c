import NeuralAnsatz
import SimulationConfig

/// `ansatz.kind: symmetric`: the Gaussian times `exp(f(phi))` with `f` a periodic
/// convolution summed over sites (`TranslationInvariantNetwork`), so `log psi`
/// is exactly invariant under lattice translations.
enum SymmetricNetworkFactory: AnsatzFactory {
    static let supportsSingleSite = true

    static func size(_ c: GroundStateConfiguration) -> AnsatzSize {
        let extent = c.lattice.extent.map(Double.init)
        let v = extent.reduce(1, *)
        let hidden = (c.ansatz.hidden ?? []).map(Double.init)
        let k = extent.map { min(Double(c.ansatz.kernel ?? 3), $0) }.reduce(1, *)
        let cell = denseNetworkParameters(inputs: k, hidden: hidden)
        return AnsatzSize(
            networkParameters: cell,
            scratchPerSample: v * (k + cell + (hidden.first ?? 0) * k + 4 * hidden.reduce(0, +)))
    }

    static func build<Consumer: ModelConsumer>(_ context: AnsatzContext, into consumer: Consumer) throws -> Consumer.Output {
        let a = context.configuration.ansatz
        let network = TranslationInvariantNetwork(
            lattice: context.lattice, kernelSize: a.kernel ?? 3, hidden: a.hidden ?? [], activation: context.activation)
        return try context.gaussianTimes(
            network, initialParameters: { network.cell.initialParameters(random: &$0, outputScale: a.outputScale ?? 0) },
            into: consumer)
    }
}
