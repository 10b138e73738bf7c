import NeuralAnsatz
import SimulationConfig

/// `ansatz.kind: gaussian-mlp`: the Gaussian times `exp(f(phi))` with `f` a dense
/// network on the whole field (`MultilayerPerceptron`).
enum GaussianMLPFactory: AnsatzFactory {
    static let supportsSingleSite = true

    static func size(_ c: GroundStateConfiguration) -> AnsatzSize {
        let v = c.lattice.extent.reduce(1.0) { $0 * Double($1) }
        let hidden = (c.ansatz.hidden ?? []).map(Double.init)
        let widths = [v] + hidden
        // Per layer: delta and [z, 1] (see ParameterJacobian), plus a product's temporaries.
        return AnsatzSize(
            networkParameters: denseNetworkParameters(inputs: v, hidden: hidden),
            scratchPerSample: (hidden.first ?? 0) * v + 4 * hidden.reduce(0, +),
            factoredLogDerivativesPerSample: 1 + (widths.last ?? 0) + 3 * widths.reduce(0, +) + Double(widths.count))
    }

    static func build<Consumer: ModelConsumer>(_ context: AnsatzContext, into consumer: Consumer) throws -> Consumer.Output {
        let a = context.configuration.ansatz
        let network = MultilayerPerceptron(
            inputs: context.lattice.volume, hidden: a.hidden ?? [], activation: context.activation)
        return try context.gaussianTimes(
            network, initialParameters: { network.initialParameters(random: &$0, outputScale: a.outputScale ?? 0) },
            into: consumer)
    }
}

/// Weights and biases of a dense network on `inputs` with `hidden` layers, and its output weights.
func denseNetworkParameters(inputs: Double, hidden: [Double]) -> Double {
    let widths = [inputs] + hidden
    return zip(widths, widths.dropFirst()).reduce(0) { $0 + $1.0 * $1.1 + $1.1 } + (hidden.last ?? 0)
}
