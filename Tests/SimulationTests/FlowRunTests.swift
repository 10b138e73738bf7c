import Foundation
import Parallelism
import RunEngine
import Simulation
import SimulationConfig
import Testing

/// A flow trained on the free field (a periodic chain of 8 sites), through the run
/// engine: the pooled ESS exceeds 0.9, and chi2 agrees with the exact 1/m2.
struct FlowRunTests {
    @Test func trainedFlowOnTheFreeFieldReachesHighESS() throws {
        let yaml = """
            mode: euclidean
            seed: 5
            lattice: {extent: [8]}
            theory: {m2: 1.0, lambda: 0}
            sampler: {kind: flow, chains: 16, thermalization: 4}
            flow: {layers: 4, hidden: [8], steps: 3000, batch: 64, learning_rate: 0.003, learning_rate_final: 0.0003}
            measurement: {samples: 16384}
            """
        guard case .field(let configuration) = try ConfiguredRun.parse(yaml: yaml, defaultName: "flow") else {
            Issue.record("not a field run")
            return
        }
        var control = RunControl<EuclideanCheckpoint>()
        control.parallelism = Parallelism(threads: 2)
        let run = EuclideanRun(configuration: configuration)
        let final = try run.execute(control)
        let result = try #require(final.ensembles[0].result)
        let ess = try #require(result.pooledESS)
        #expect(ess > 0.9, "pooled ESS \(ess)")
        #expect(result.acceptance > 0.8, "acceptance \(result.acceptance)")
        #expect((result.proposals ?? 0) >= 16384)
        let exact = 1 / (1.0)  // chi2 = G(0) = 1/m2 for the free field
        let chi2 = try #require(result.measurements.estimates["chi2"])
        #expect(abs(chi2.mean - exact) < 4 * chi2.error, "chi2 \(chi2.mean) +- \(chi2.error)")
    }
}
