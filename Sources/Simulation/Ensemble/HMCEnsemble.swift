import Execution
import Lattice
import Sampling

/// HMC (`HybridMonteCarlo`) as an ensemble's sampler: thermalisation tunes its
/// step size; a round is one trajectory per chain.
struct HMCEnsemble: EnsembleSampler {
    let hmc: HybridMonteCarlo
    let chains: Int
    /// Chain c draws from stream c of this seed's family.
    let seed: UInt64

    func initialChains() -> HMCState { hmc.initialState(chains: chains, seed: seed) }

    func store(_ chains: HMCState) -> EnsembleChains { .hmc(chains) }

    func load(_ stored: EnsembleChains) -> HMCState? {
        guard case .hmc(let state) = stored else { return nil }
        return state
    }

    /// The step-size schedule restarts every `restart` trajectories (whatever the units).
    func thermalize(_ chains: inout HMCState, rounds: Int, after done: Int, stop: StopCheck) throws {
        try hmc.thermalize(&chains, trajectories: rounds, stop: stop, after: done, restartEvery: Self.restart)
    }

    static let restart = 100

    func sample(_ chains: inout HMCState, records: Int, every: Int, stop: StopCheck, record: (FieldBatch) throws -> Void) throws {
        try hmc.sample(&chains, records: records, every: every, stop: stop, record: record)
    }

    func roundsPerUnit(_ chains: HMCState) -> Int { hmc.trajectoriesPerUnit(chains: chains.chains, stepSize: chains.stepSize) }

    func resetCounters(_ chains: inout HMCState) { chains.resetCounters() }

    func diagnostics(_ chains: HMCState) -> SamplerDiagnostics {
        var d = SamplerDiagnostics(kind: "hmc", acceptance: chains.acceptance)
        d.stepSize = chains.stepSize
        d.stepsPerTrajectory = hmc.schedule(stepSize: chains.stepSize, jitterDraw: 0.5).steps
        d.expMinusDeltaH = chains.meanBoltzmannFactor
        return d
    }
}
