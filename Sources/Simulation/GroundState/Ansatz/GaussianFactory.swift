import SimulationConfig

/// `ansatz.kind: gaussian`: `log psi = -(1/2V) sum_k a_k |phitilde_k|^2`, one
/// learnable `a_k` per pair {k, -k} (`GaussianAnsatz`); exact for the free theory.
enum GaussianFactory: AnsatzFactory {
    static let supportsSingleSite = true

    static func size(_ configuration: GroundStateConfiguration) -> AnsatzSize { AnsatzSize() }

    static func build<Consumer: ModelConsumer>(_ context: AnsatzContext, into consumer: Consumer) throws -> Consumer.Output {
        try consumer.consume(context.gaussian)
    }
}
