import Foundation
import Parallelism
import RunEngine
import Simulation
import SimulationConfig
import Testing

/// The result of a one-ensemble Euclidean config run through the engine on 2 threads.
func measuredEnsemble(_ yaml: String) throws -> EnsembleResult {
    let configuration = try EuclideanConfiguration.parse(yaml: yaml, defaultName: "flow")
    var control = RunControl<EuclideanCheckpoint>()
    control.parallelism = Parallelism(threads: 2)
    return try #require(try EuclideanRun(configuration: configuration).execute(control).ensembles[0].progress.result)
}

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
        let result = try measuredEnsemble(yaml)
        let ess = try #require(result.sampler.pooledESS)
        #expect(ess > 0.9, "pooled ESS \(ess)")
        #expect(result.sampler.acceptance > 0.8, "acceptance \(result.sampler.acceptance)")
        #expect((result.sampler.proposals ?? 0) >= 16384)
        let exact = 1 / (1.0)  // chi2 = G(0) = 1/m2 for the free field
        let chi2 = try #require(result.measurements.estimates["chi2"])
        #expect(abs(chi2.mean - exact) < 4 * chi2.error, "chi2 \(chi2.mean) +- \(chi2.error)")
    }
}

/// HMC between the proposals of a barely trained flow (ESS far below 1): the
/// composite chain is still exact — chi2 and phi2 of the free chain within 4 sigma
/// of their exact values — and reports HMC's acceptance next to the flow's.
struct InterleavedFlowRunTests {
    @Test func hmcBetweenProposalsOfAPoorFlowKeepsTheFreeFieldExact() throws {
        let yaml = """
            mode: euclidean
            seed: 9
            lattice: {extent: [12]}
            theory: {m2: 0.25, lambda: 0}
            sampler: {kind: flow, chains: 16, thermalization: 50, hmc_trajectories: 1}
            flow: {layers: 2, hidden: [4], steps: 25, batch: 16}
            measurement: {samples: 32768}
            """
        let result = try measuredEnsemble(yaml)
        let ess = try #require(result.sampler.pooledESS)
        let hmcAcceptance = try #require(result.sampler.hmcAcceptance)
        #expect(ess < 0.5, "the flow is meant to be poor: ESS \(ess)")
        #expect(hmcAcceptance > 0.5, "HMC acceptance \(hmcAcceptance)")
        // G(k) = 1/(khat^2 + m2): chi2 = G(0) = 4, phi2 = (1/V) sum_k G(k).
        let khat2 = (0..<12).map { pow(2 * sin(Double.pi * Double($0) / 12), 2) }
        let exact = ["chi2": 4.0, "phi2": khat2.reduce(0) { $0 + 1 / ($1 + 0.25) } / 12]
        for (name, value) in exact {
            let e = try #require(result.measurements.estimates[name])
            #expect(abs(e.mean - value) < 4 * e.error, "\(name) \(e.mean) +- \(e.error), exact \(value)")
        }
    }
}

/// The kernel-coupling flow, trained through a schedule (4x4, then 8x8) and
/// sampling by independence Metropolis alone, against HMC at the same
/// interacting point of the ladder (flow convention m2 = -4, lam = 6.008, L = 8):
/// |M|, chi2, phi2 and the Binder cumulant within 4 combined sigma, and the
/// pooled ESS well above the real-NVP's at equal training (0.05 at 1000 steps).
struct KernelCouplingRunTests {
    @Test func scheduleTrainedFlowAgreesWithHMC() throws {
        let theory = "theory: {convention: flow, m2: -4, lambda: 6.008}"
        let flow = try measuredEnsemble("""
            mode: euclidean
            seed: 21
            lattice: {extent: [8, 8]}
            \(theory)
            sampler: {kind: flow, chains: 16, thermalization: 4}
            flow:
              kind: kernel-coupling
              layers: 4
              schedule: [{extent: [4, 4], steps: 400}, {extent: [8, 8], steps: 400}]
              learning_rate_final: 0.002
            measurement: {samples: 32768}
            """)
        let hmc = try measuredEnsemble("""
            mode: euclidean
            seed: 22
            lattice: {extent: [8, 8]}
            \(theory)
            sampler: {chains: 16, thermalization: 200}
            measurement: {samples: 32768}
            """)
        let ess = try #require(flow.sampler.pooledESS)
        #expect(ess > 0.3, "pooled ESS \(ess)")
        for name in ["abs_magnetization", "chi2", "phi2", "binder"] {
            let a = try #require(flow.measurements.estimates[name]), b = try #require(hmc.measurements.estimates[name])
            let sigma = (a.error * a.error + b.error * b.error).squareRoot()
            #expect(sigma > 0 && abs(a.mean - b.mean) < 4 * sigma, "\(name): flow \(a.mean) +- \(a.error), HMC \(b.mean) +- \(b.error)")
        }
    }
}
