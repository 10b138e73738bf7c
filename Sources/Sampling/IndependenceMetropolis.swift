import Execution
import Foundation
import Lattice
import Parallelism
import Statistics

/// A proposal density that draws fields independently of the current one, with
/// their exact log densities (a normalizing flow).
public protocol IndependentProposal: Sendable {
    /// One field per random stream (`streams.count x V`), with `log q` of each;
    /// the streams advance.
    func propose(_ streams: inout [RandomSource], parallelism: Parallelism) -> (fields: FieldBatch, logQ: [Double])

    /// `log q` of given fields (`B x V`), for chains another kernel has moved.
    func logDensity(_ fields: FieldBatch, parallelism: Parallelism) -> [Double]
}

/// Independence Metropolis–Hastings for `exp(-S)` with proposals from `q`
/// (Tierney, Ann. Stat. 22 (1994) 1701; for flows Albergo et al., arXiv:1904.12072):
/// with importance weights `w = exp(-S - log q)`, a proposal replaces the chain's
/// field with probability `min(1, w' / w)`. Exact for any `q` that covers `p`.
///
/// Every proposal's weight also enters the pooled effective sample size
/// `ESS = (sum w)^2 / (N sum w^2)` (Kish), accumulated in log space.
public struct IndependenceMetropolis<Proposal: IndependentProposal>: Sendable {
    public var proposal: Proposal
    public var action: any LatticeAction
    public var parallelism: Parallelism

    public init(proposal: Proposal, action: any LatticeAction, parallelism: Parallelism = .serial) {
        self.proposal = proposal
        self.action = action
        self.parallelism = parallelism
    }

    /// Chains started from one proposal each (always accepted: the first weight).
    public func initialState(chains: Int, seed: UInt64) -> IndependenceState {
        var random = (0..<chains).map { RandomSource(seed: seed, stream: UInt64($0)) }
        let (fields, logQ) = proposal.propose(&random, parallelism: parallelism)
        return IndependenceState(fields: fields, logWeight: logWeights(fields, logQ), random: random)
    }

    /// `log w = -S - log q` per proposal; a non-finite weight is 0 (`-infinity`).
    func logWeights(_ fields: FieldBatch, _ logQ: [Double]) -> [Double] {
        rawLogWeights(fields, logQ).map { $0.isFinite ? $0 : -Double.infinity }
    }

    private func rawLogWeights(_ fields: FieldBatch, _ logQ: [Double]) -> [Double] {
        let v = fields.columns
        return fields.storage.withUnsafeBufferPointer { all in
            (0..<fields.rows).map { -action.action(all.baseAddress! + $0 * v) - logQ[$0] }
        }
    }

    /// Sets every chain's weight for its current field (after another kernel moved
    /// it). A field the flow gives no density (`log q = -infinity`) keeps an infinite
    /// weight, so no proposal replaces it; a NaN weight is 0.
    public func reweigh(_ state: inout IndependenceState) {
        state.logWeight = rawLogWeights(state.fields, proposal.logDensity(state.fields, parallelism: parallelism))
            .map { $0.isNaN ? -Double.infinity : $0 }
    }

    /// `rounds` proposals per chain, calling `record` with every chain's field
    /// after every `every`-th; `refresh` runs after each round's
    /// accept/reject (another exp(-S)-invariant kernel, which must `reweigh`).
    public func sample(
        _ state: inout IndependenceState, rounds: Int, every: Int = 1, stop: StopCheck,
        refresh: (inout IndependenceState) throws -> Void = { _ in }, record: (FieldBatch) throws -> Void
    ) throws {
        let v = action.lattice.volume
        for round in 0..<rounds {
            if round % 16 == 0 { try stop.check() }
            let (proposed, logQ) = proposal.propose(&state.random, parallelism: parallelism)
            // A proposal whose weight is not finite has weight 0: rejected, pooled as 0.
            let weights = logWeights(proposed, logQ)
            for c in 0..<state.chains {
                state.pool(weights[c])
                state.proposed += 1
                let logRatio = weights[c] - state.logWeight[c]
                if logRatio >= 0 || log(state.random[c].uniform()) < logRatio {
                    state.accepted += 1
                    state.logWeight[c] = weights[c]
                    state.fields.storage.replaceSubrange((c * v)..<((c + 1) * v), with: proposed.storage[(c * v)..<((c + 1) * v)])
                }
            }
            try refresh(&state)
            if (round + 1) % every == 0 { try record(state.fields) }
        }
    }
}

/// The chains of independence Metropolis and the pooled weight sums.
public struct IndependenceState: ChainState {
    public var fields: FieldBatch
    /// `log w = -S - log q` of each chain's current field.
    public var logWeight: [Double]
    public var random: [RandomSource]
    public var accepted = 0
    public var proposed = 0
    /// `log sum w` and `log sum w^2` over the proposals since the counters were reset.
    public var logSumWeight = -Double.infinity
    public var logSumWeightSquared = -Double.infinity

    public init(fields: FieldBatch, logWeight: [Double], random: [RandomSource]) {
        self.fields = fields
        self.logWeight = logWeight
        self.random = random
    }

    public var chains: Int { fields.rows }
    public var acceptance: Double { proposed == 0 ? 0 : Double(accepted) / Double(proposed) }

    /// The pooled ESS per proposal, `(sum w)^2 / (N sum w^2)`, in [1/N, 1].
    public var effectiveSampleFraction: Double {
        proposed == 0 ? .nan : exp(2 * logSumWeight - logSumWeightSquared) / Double(proposed)
    }

    mutating func pool(_ logW: Double) {
        logSumWeight = Self.logAdd(logSumWeight, logW)
        logSumWeightSquared = Self.logAdd(logSumWeightSquared, 2 * logW)
    }

    static func logAdd(_ a: Double, _ b: Double) -> Double {
        if a == -.infinity { return b }
        if b == -.infinity { return a }
        let m = max(a, b)
        return m + log(exp(a - m) + exp(b - m))
    }

    public mutating func resetCounters() {
        accepted = 0
        proposed = 0
        logSumWeight = -.infinity
        logSumWeightSquared = -.infinity
    }
}
