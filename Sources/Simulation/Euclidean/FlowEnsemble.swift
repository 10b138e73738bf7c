import Execution
import Lattice
import Sampling

/// A trained flow's independence Metropolis as an ensemble's sampler: the
/// chains start at a proposal each (already a draw from q); thermalisation
/// discards rounds. A round is one proposal per chain.
struct FlowEnsemble<Proposal: IndependentProposal>: EnsembleSampler {
    let independence: IndependenceMetropolis<Proposal>
    let chains: Int
    /// The chains' streams: a family of their own (the training draws from another).
    let seed: UInt64
    /// Floating-point operations of one proposal (for the unit of work).
    let flopsPerProposal: Double

    func initialChains() -> IndependenceState { independence.initialState(chains: chains, seed: seed) }

    func store(_ chains: IndependenceState) -> EnsembleChains { .independence(chains) }

    func load(_ stored: EnsembleChains) -> IndependenceState? {
        guard case .independence(let state) = stored else { return nil }
        return state
    }

    func thermalize(_ chains: inout IndependenceState, rounds: Int, after done: Int, stop: StopCheck) throws {
        try independence.sample(&chains, rounds: rounds, stop: stop) { _ in }
    }

    func sample(
        _ chains: inout IndependenceState, records: Int, every: Int, stop: StopCheck, record: (FieldBatch) throws -> Void
    ) throws {
        try independence.sample(&chains, rounds: records * every, every: every, stop: stop, record: record)
    }

    func roundsPerUnit(_ chains: IndependenceState) -> Int {
        max(1, Int(min(1e9, 5e8 / max(1, flopsPerProposal * Double(chains.chains)))))
    }

    func resetCounters(_ chains: inout IndependenceState) { chains.resetCounters() }

    func diagnostics(_ chains: IndependenceState) -> SamplerDiagnostics {
        var d = SamplerDiagnostics(kind: "flow", acceptance: chains.acceptance)
        d.pooledESS = chains.effectiveSampleFraction
        d.proposals = chains.proposed
        return d
    }
}

/// A flow's independence Metropolis with `trajectories` HMC trajectories per
/// chain after every proposal round (`InterleavedHMC`). Its thermalisation is
/// one unit: HMC's step is tuned over all its trajectories, then the rounds are
/// discarded.
struct InterleavedFlowEnsemble<Proposal: IndependentProposal>: EnsembleSampler {
    let sampler: InterleavedHMC<Proposal>
    let chains: Int
    let seed: UInt64
    let flopsPerProposal: Double

    func initialChains() -> InterleavedHMC<Proposal>.State { sampler.initialState(chains: chains, seed: seed) }

    func store(_ chains: InterleavedHMC<Proposal>.State) -> EnsembleChains { .interleaved(independence: chains.chains, hmc: chains.hmc) }

    func load(_ stored: EnsembleChains) -> InterleavedHMC<Proposal>.State? {
        guard case .interleaved(let independence, let hmc) = stored else { return nil }
        return .init(chains: independence, hmc: hmc)
    }

    func thermalizationUnit(_ chains: InterleavedHMC<Proposal>.State, done: Int, total: Int) -> Int { total - done }

    func thermalize(_ chains: inout InterleavedHMC<Proposal>.State, rounds: Int, after done: Int, stop: StopCheck) throws {
        try sampler.thermalize(&chains, rounds: rounds, stop: stop)
    }

    func sample(
        _ chains: inout InterleavedHMC<Proposal>.State, records: Int, every: Int, stop: StopCheck,
        record: (FieldBatch) throws -> Void
    ) throws {
        try sampler.sample(&chains, rounds: records * every, every: every, stop: stop, record: record)
    }

    func roundsPerUnit(_ chains: InterleavedHMC<Proposal>.State) -> Int {
        let flow = 5e8 / max(1, 2 * flopsPerProposal * Double(chains.chains.chains))
        let hmc = Double(sampler.hmc.trajectoriesPerUnit(chains: chains.hmc.chains, stepSize: chains.hmc.stepSize))
            / Double(sampler.trajectories)
        return max(1, Int(min(1e9, 1 / (1 / flow + 1 / max(1e-9, hmc)))))
    }

    func resetCounters(_ chains: inout InterleavedHMC<Proposal>.State) {
        chains.chains.resetCounters()
        chains.hmc.resetCounters()
    }

    func diagnostics(_ chains: InterleavedHMC<Proposal>.State) -> SamplerDiagnostics {
        var d = SamplerDiagnostics(kind: "flow+hmc", acceptance: chains.chains.acceptance)
        d.pooledESS = chains.chains.effectiveSampleFraction
        d.proposals = chains.chains.proposed
        d.hmcAcceptance = chains.hmc.acceptance
        d.stepSize = chains.hmc.stepSize
        d.stepsPerTrajectory = sampler.hmc.schedule(stepSize: chains.hmc.stepSize, jitterDraw: 0.5).steps
        d.expMinusDeltaH = chains.hmc.meanBoltzmannFactor
        return d
    }
}
