import Simulation
import SimulationConfig
import Testing

/// The optimisation's memory grows linearly in V: a dense network's
/// log-derivatives are stored as their factors, never as the N x P matrix.
@Suite struct MemoryEstimateTests {
    func estimate(sites: Int) throws -> MemoryEstimate {
        MemoryEstimate(configuration: try GroundStateConfiguration.parse(
            yaml: """
                lattice: {extent: [\(sites)]}
                theory: {m2: 1, lambda: 24}
                ansatz: {kind: gaussian-mlp, hidden: [64]}
                optimizer: {samples: 4096}
                evaluation: {samples: 4096}
                """, defaultName: "memory"))
    }

    @Test func optimisationMemoryIsLinearInTheVolume() throws {
        let small = try estimate(sites: 256), large = try estimate(sites: 1024)
        // P = 64 V + ...: an explicit O would be 4096 x 16k doubles (537 MB) at V = 1024.
        let parameters = try #require(large.parameters)
        #expect(parameters > 4 * 1024 * 64 / 4)
        #expect(large.bytes < 8 * 4096 * parameters / 4)
        // Four times the sites: at most four times the memory above the fixed margin.
        let margin = Double(64 << 20)
        #expect(large.bytes - margin <= 4.01 * (small.bytes - margin))
    }
}
