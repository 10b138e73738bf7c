import Simulation
import SimulationConfig
import Testing

/// A run whose own diagnostics say its result cannot be trusted says so in
/// `warnings`; a sound run has none.
@Suite struct RunWarningsTests {
    let yaml = """
        seed: 2
        lattice: {extent: [4]}
        theory: {m2: 1, lambda: 0}
        sampler: {chains: 8, sweep: 4}
        optimizer: {steps: 20, samples: 64, learning_rate: 0.2}
        evaluation: {samples: 4096}
        """

    @Test func soundRunHasNoWarnings() throws {
        let result = try GroundStateRun(configuration: GroundStateConfiguration.parse(yaml: yaml, defaultName: "w")).run()
        #expect(result.warnings.isEmpty, "\(result.warnings)")
    }

    /// A frozen sampler (validation refuses such a target; set here past it).
    @Test func frozenSamplerIsFlagged() throws {
        var configuration = try GroundStateConfiguration.parse(yaml: yaml, defaultName: "w")
        configuration.sampler.targetAcceptance = 1e-4
        let result = try GroundStateRun(configuration: configuration).run()
        #expect(result.acceptance < 0.05)
        #expect(result.warnings.contains { $0.contains("acceptance") }, "\(result.warnings)")
    }

    /// A learning rate so small that no parameter changes in any step.
    @Test func parametersThatNeverMovedAreFlagged() throws {
        var configuration = try GroundStateConfiguration.parse(yaml: yaml, defaultName: "w")
        configuration.optimizer.learningRate = 1e-300
        let result = try GroundStateRun(configuration: configuration).run()
        #expect(result.warnings.contains { $0.contains("never moved") }, "\(result.warnings)")
    }

    /// Evaluation chains far shorter than their autocorrelation: the window hits its limit.
    @Test func autocorrelationBeyondTheWindowIsFlagged() throws {
        var configuration = try GroundStateConfiguration.parse(yaml: yaml, defaultName: "w")
        configuration.optimizer.steps = 0
        configuration.sampler.sweep = 1
        configuration.sampler.targetAcceptance = 0.05
        configuration.evaluation.samples = 64
        let result = try GroundStateRun(configuration: configuration).run()
        #expect(result.energy.windowAtLimit == true)
        #expect(result.warnings.contains { $0.contains("lower bound") }, "\(result.warnings)")
    }
}
