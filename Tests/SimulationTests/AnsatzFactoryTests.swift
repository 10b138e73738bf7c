import Simulation
import SimulationConfig
import Testing

/// Every ansatz kind's factory: what it declares (single-site support, its
/// size for the memory estimate) matches the model it builds.
@Suite struct AnsatzFactoryTests {
    /// `sampler.kind: auto` resolves by the factory's declaration (single-site for
    /// every current kind: `declarationsMatchTheModel` checks each declares it),
    /// recorded in the resolved config (and so in the
    /// summary and the checkpoint, which a resume compares).
    @Test(arguments: AnsatzKind.allCases)
    func automaticSamplerIsSingleSiteWhereDeclared(kind: AnsatzKind) throws {
        let configuration = try GroundStateConfiguration.parse(
            yaml: """
                lattice: {extent: [4]}
                theory: {m2: 1, lambda: 6}
                ansatz: {kind: \(kind.rawValue)}
                sampler: {kind: auto, chains: 4, thermalization: 5}
                optimizer: {steps: 2, samples: 16}
                evaluation: {samples: 64}
                """, defaultName: "auto")
        let simulation = GroundStateRun(configuration: configuration)
        #expect(simulation.configuration.sampler.kind == .singleSite)
        let result = try simulation.run()
        #expect(result.checkpoint.configuration.sampler.kind == simulation.configuration.sampler.kind)
        #expect(result.checkpoint.optimization.sampler.siteCursor != nil)
    }

    @Test(arguments: AnsatzKind.allCases)
    func declarationsMatchTheModel(kind: AnsatzKind) throws {
        let network = kind.isNeural ? ", hidden: [6, 4]" : ""
        let configuration = try GroundStateConfiguration.parse(
            yaml: """
                lattice: {extent: [3, 2]}
                theory: {m2: 1, lambda: 6}
                ansatz: {kind: \(kind.rawValue)\(network)}
                sampler: {kind: single-site, chains: 4, thermalization: 5}
                optimizer: {steps: 2, samples: 16\(kind.isNeural ? ", gaussian_steps: 2" : "")}
                evaluation: {samples: 64}
                """, defaultName: "factory")
        // Declared capable of single-site proposals: the run must really use them.
        #expect(GroundStateRun.capabilityIssues(configuration).isEmpty)
        let result = try GroundStateRun(configuration: configuration).run()
        #expect(result.checkpoint.optimization.sampler.siteCursor != nil)
        // The memory estimate counts one Gaussian parameter per half-spectrum
        // element (6 for 3 x 2, against 4 orbits {k, -k}) and one for the tail:
        // an upper bound by less than the half spectrum.
        let estimated = try #require(MemoryEstimate(configuration: configuration).parameters)
        let actual = Double(result.checkpoint.parameters.count)
        #expect(estimated >= actual && estimated - actual < 6, "\(estimated) vs \(actual)")
    }
}
