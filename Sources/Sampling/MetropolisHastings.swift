import Execution
import Foundation
import Lattice
import Parallelism
import Statistics

/// The settings every Metropolis–Hastings sampler shares.
public struct MetropolisSettings: Sendable, Equatable {
    /// Number of independent chains.
    public var chains: Int
    /// Proposals per chain between recorded samples (one *sweep*).
    public var sweep: Int
    /// Acceptance rate the widths adapt toward during thermalization.
    public var targetAcceptance: Double
    /// Threads the chains are split over (results do not depend on it).
    public var parallelism: Parallelism

    public init(chains: Int, sweep: Int, targetAcceptance: Double = 0.5, parallelism: Parallelism = .serial) {
        precondition(chains >= 1 && sweep >= 1 && targetAcceptance > 0 && targetAcceptance < 1)
        self.chains = chains
        self.sweep = sweep
        self.targetAcceptance = targetAcceptance
        self.parallelism = parallelism
    }

    /// The fixed groups of chains that are advanced together (one batched log
    /// density per proposal) and whose samples form a VMC step's blocks: at
    /// least 8 chains each (the batch keeps gemm efficient), at most 8 (enough
    /// for a workstation's threads). Fixed by `chains`, because a BLAS result
    /// can depend on how many rows it is computed with: so the numbers do not
    /// depend on the thread count, nor on the rank count while there are no
    /// more ranks than groups (beyond that, one group per rank).
    public var groups: [Range<Int>] {
        evenSplit(chains, parts: max(min(8, max(1, chains / 8)), min(chains, parallelism.ranks.size)))
    }
}

/// Metropolis–Hastings sampling, many chains in lock step, each with its own
/// proposal width `sigma_c` and random stream. A conforming sampler supplies
/// one sweep of its proposals (`runSweep`); the loop around it — chains split
/// over threads, the widths' adaptation during thermalization only, recording
/// — is written once here. One *sweep* is `sweep` proposals per chain; a
/// recorded sample is the state after a sweep.
public protocol MetropolisHastings: Sampler where State == SamplerState {
    var settings: MetropolisSettings { get }
    /// Whether the chains keep `d log p / d phi` (Langevin proposals).
    var keepsGradient: Bool { get }
    /// The starting width for `sites` sites.
    func initialStepSize(sites: Int) -> Double
    /// One sweep; returns the number of accepted proposals per chain.
    func runSweep(_ state: inout SamplerState, density: Density) -> [Int]
    /// `count` sweeps, calling `afterSweep` with the state and each chain's
    /// accepted proposals after each one. The default runs `runSweep` `count`
    /// times; a sampler with state that outlives a sweep (a single-site cache)
    /// keeps it across them. `state.logDensity` is exact when this returns.
    func runSweeps(
        _ state: inout SamplerState, density: Density, count: Int, afterSweep: (inout SamplerState, [Int]) -> Void)
}

extension MetropolisHastings {
    public var chains: Int { settings.chains }

    public func runSweeps(
        _ state: inout SamplerState, density: Density, count: Int, afterSweep: (inout SamplerState, [Int]) -> Void
    ) {
        for _ in 0..<count {
            let accepted = runSweep(&state, density: density)
            afterSweep(&state, accepted)
        }
    }

    /// Chains started at independent `N(0, 1)` fields, each with its own random
    /// stream `(seed, chain)`.
    public func initialState(sites: Int, seed: UInt64) -> SamplerState {
        var random = (0..<chains).map { RandomSource(seed: seed, stream: UInt64($0)) }
        var fields = FieldBatch(rows: chains, columns: sites)
        for c in 0..<chains {
            for x in 0..<sites { fields[c, x] = random[c].normal() }
        }
        return SamplerState(
            fields: fields, logDensity: [Double](repeating: -.infinity, count: chains),
            gradient: FieldBatch(rows: 0, columns: sites),
            stepSize: [Double](repeating: initialStepSize(sites: sites), count: chains),
            random: random, accepted: 0, proposed: 0)
    }

    public func refresh(_ state: inout SamplerState, density: Density) {
        state.refresh(density, withGradient: keepsGradient)
    }

    /// Adapts each chain's width after every sweep by
    /// `log sigma += gain (acceptance - target)` with a gain that decays as
    /// `1/sqrt(n)` (Robbins–Monro), so the widths settle. `stop` is polled every
    /// `stopInterval` sweeps (the adaptation depends on `n` alone, so the blocks
    /// do not change the numbers); on a stop `state` is left part-way.
    public func thermalize(_ state: inout SamplerState, density: Density, sweeps: Int, stop: StopCheck = .never) throws {
        var done = 0
        let (sweep, target) = (settings.sweep, settings.targetAcceptance)
        while done < sweeps {
            try stop.check()
            let block = done..<min(sweeps, done + stopInterval)
            inParallel(&state) { part in
                var n = block.lowerBound
                runSweeps(&part, density: density, count: block.count) { part, accepted in
                    let gain = 1 / Double(n + 1).squareRoot()
                    for c in 0..<part.chains {
                        let rate = Double(accepted[c]) / Double(sweep)
                        part.stepSize[c] *= exp(gain * (rate - target))
                    }
                    n += 1
                }
                return block.count
            }
            done = block.upperBound
        }
    }

    public func sample(
        _ state: inout SamplerState, density: Density, sweeps: Int, record: (FieldBatch, [Double]) throws -> Void
    ) rethrows {
        // The chains run in parallel groups for blocks of sweeps; each block's
        // sweeps are then reassembled (all chains, in order) and recorded.
        var done = 0
        while done < sweeps {
            let count = min(stopInterval, sweeps - done)
            let sweepsOfGroup = inParallel(&state) { part in
                var states: [SamplerState] = []
                runSweeps(&part, density: density, count: count) { part, _ in states.append(part) }
                // The last sweep's log densities as the sampler leaves them (exact).
                states[count - 1] = part
                return states
            }
            for s in 0..<count {
                var whole = SamplerState.empty(sites: state.fields.columns)
                whole.join(sweepsOfGroup.map { $0[s] })
                try record(whole.fields, whole.logDensity)
            }
            done += count
        }
    }

    /// Runs `sweeps` sweeps on every chain, each of `settings.groups` on the
    /// rank and thread `Parallelism.localMap` gives it. Returns this rank's
    /// groups' recorded fields, each group's as one batch (`sweeps x |group|`
    /// rows, sweep-major: row `s |g| + c`), which stay on the rank; `state` ends
    /// with every chain moved (the groups' final states are gathered: `chains x
    /// V` values, not the samples).
    public func sampleInGroups(
        _ state: inout SamplerState, density: Density, sweeps: Int
    ) -> [(index: Int, value: FieldBatch)] {
        let start = state, groups = settings.groups
        let done = settings.parallelism.distributedMap(groups.count) { g -> (shared: SamplerState, local: FieldBatch) in
            var part = start.chains(groups[g])
            var fields: [Double] = []
            fields.reserveCapacity(sweeps * part.fields.storage.count)
            runSweeps(&part, density: density, count: sweeps) { part, _ in fields += part.fields.storage }
            return (part, FieldBatch(rows: sweeps * part.chains, columns: part.fields.columns, storage: fields))
        }
        var joined = SamplerState.empty(sites: state.fields.columns)
        (joined.accepted, joined.proposed) = (state.accepted, state.proposed)
        joined.join(done.shared)
        state = joined
        return done.local
    }

    /// Sweeps between stop checks and between reassemblies of the chains.
    public var stopInterval: Int { 16 }

    /// Runs `body` on each of the chain `groups` (over threads and ranks),
    /// joins the groups back (on every rank) and returns their results in order.
    @discardableResult
    private func inParallel<Result: RankPackable>(
        _ state: inout SamplerState, _ body: @Sendable (inout SamplerState) -> Result
    ) -> [Result] {
        let parallelism = settings.parallelism
        let parts = settings.groups.map { state.chains($0) }
        let done = parallelism.distributedMap(parts.count) { k in
            var part = parts[k]
            let result = body(&part)
            return RankPair(part, result)
        }
        var joined = SamplerState.empty(sites: state.fields.columns)
        (joined.accepted, joined.proposed) = (state.accepted, state.proposed)
        joined.join(done.map(\.first))
        state = joined
        return done.map(\.second)
    }

    /// `log u < log ratio` with `u` in (0, 1]: the Metropolis–Hastings test; a
    /// NaN ratio is never accepted.
    func accepts(_ logRatio: Double, _ random: inout RandomSource) -> Bool {
        acceptanceFloor(&random) < logRatio
    }

    /// The test's `log u`, `u = 1 - uniform` in (0, 1]: a log ratio at most this
    /// is rejected.
    func acceptanceFloor(_ random: inout RandomSource) -> Double {
        log(1 - random.uniform())
    }
}
