import Execution
import Lattice
import NeuralAnsatz
import Parallelism
import Sampling

/// How a measurement stage draws configurations of one ensemble: HMC from its
/// thermalised chains, or independence Metropolis from a trained flow. A new
/// sampler of exp(-S) is one conforming type and its `sampler.kind`.
protocol EnsembleSampler: Sendable {
    var action: EuclideanAction { get }
    /// Runs `records x every` rounds on every chain (trajectories for HMC,
    /// proposals for a flow), calling `record` after every `every`-th with every
    /// chain's field; returns the sampler's part of the result. Changes
    /// `ensemble` only when it returns.
    func measure(
        _ ensemble: inout EuclideanCheckpoint.Ensemble, records: Int, every: Int, stop: StopCheck,
        record: (FieldBatch) throws -> Void
    ) throws -> EuclideanCheckpoint.EnsembleResult
}

extension HybridMonteCarlo: EnsembleSampler {
    func measure(
        _ ensemble: inout EuclideanCheckpoint.Ensemble, records: Int, every: Int, stop: StopCheck,
        record: (FieldBatch) throws -> Void
    ) throws -> EuclideanCheckpoint.EnsembleResult {
        guard var chains = ensemble.hmc else { preconditionFailure("an HMC ensemble has HMC chains") }
        chains.resetCounters()
        try sample(&chains, records: records, every: every, stop: stop, record: record)
        ensemble.hmc = chains
        return EuclideanCheckpoint.EnsembleResult(
            measurements: .init(), acceptance: chains.acceptance, boltzmannFactor: chains.meanBoltzmannFactor,
            stepSize: chains.stepSize, stepsPerTrajectory: schedule(stepSize: chains.stepSize, jitterDraw: 0.5).steps, seconds: 0)
    }
}

/// The trained flow's independence Metropolis, with `hmc` trajectories between
/// proposal rounds when given: `thermalization` rounds are discarded first (the
/// chains start at a proposal, already a draw from q; HMC's step is tuned there).
struct FlowEnsembleSampler: EnsembleSampler {
    let template: AffineCouplingFlow
    let action: EuclideanAction
    let chains: Int
    let seed: UInt64
    let thermalization: Int
    let hmc: (sampler: HybridMonteCarlo, trajectories: Int)?
    let parallelism: Parallelism

    func measure(
        _ ensemble: inout EuclideanCheckpoint.Ensemble, records: Int, every: Int, stop: StopCheck,
        record: (FieldBatch) throws -> Void
    ) throws -> EuclideanCheckpoint.EnsembleResult {
        guard let training = ensemble.flow else { preconditionFailure("a flow ensemble has a flow") }
        var flow = template
        flow.parameters = training.parameters
        let independence = IndependenceMetropolis(proposal: flow, action: action, parallelism: parallelism)
        // The measurement's streams are a family of their own (the training used the seed's stream 0 family + 1).
        let streams = seed &+ 0x9E37_79B9_7F4A_7C15
        guard let hmc else {
            var state = independence.initialState(chains: chains, seed: streams)
            try independence.sample(&state, rounds: thermalization, stop: stop) { _ in }
            state.resetCounters()
            try independence.sample(&state, rounds: records * every, every: every, stop: stop, record: record)
            return EuclideanCheckpoint.EnsembleResult(
                measurements: .init(), acceptance: state.acceptance, pooledESS: state.effectiveSampleFraction,
                proposals: state.proposed, seconds: 0)
        }
        let sampler = InterleavedHMC(independence: independence, hmc: hmc.sampler, trajectories: hmc.trajectories)
        var state = sampler.initialState(chains: chains, seed: streams)
        try sampler.thermalize(&state, rounds: thermalization, stop: stop)
        state.chains.resetCounters()
        state.hmc.resetCounters()
        try sampler.sample(&state, rounds: records * every, every: every, stop: stop, record: record)
        return EuclideanCheckpoint.EnsembleResult(
            measurements: .init(), acceptance: state.chains.acceptance, boltzmannFactor: state.hmc.meanBoltzmannFactor,
            stepSize: state.hmc.stepSize,
            stepsPerTrajectory: hmc.sampler.schedule(stepSize: state.hmc.stepSize, jitterDraw: 0.5).steps,
            pooledESS: state.chains.effectiveSampleFraction, proposals: state.chains.proposed, hmcAcceptance: state.hmc.acceptance,
            seconds: 0)
    }
}
