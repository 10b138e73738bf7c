import Lattice
import LinearAlgebra
import Parallelism
import Statistics

/// The mutable state of a set of Metropolis–Hastings chains: positions, their
/// log densities, per-chain proposal widths and random streams. A sampler's
/// configuration is an immutable value (`MetropolisHastings`); everything that
/// evolves lives here, and it is `Codable` so a checkpoint can resume the chains exactly.
public struct SamplerState: ChainState {
    /// Current field of each chain, `chains x V`.
    public var fields: FieldBatch
    /// `log p` of each chain's current field under the density last used.
    public var logDensity: [Double]
    /// `d log p / d phi` at each chain's field (`chains x V`), kept for Langevin
    /// proposals; empty (`0 x V`) for random-walk ones.
    public var gradient: FieldBatch
    /// Per-chain proposal width.
    public var stepSize: [Double]
    /// One random stream per chain.
    public var random: [RandomSource]
    /// Proposals accepted and made since the counters were last reset.
    public var accepted: Int
    public var proposed: Int
    /// The site the next single-site proposal moves (sites are visited in order,
    /// continuing across sweeps); nil before the first one.
    public var siteCursor: Int?

    public var chains: Int { fields.sampleCount }

    /// Fraction of proposals accepted since the counters were last reset.
    public var acceptance: Double { proposed == 0 ? 0 : Double(accepted) / Double(proposed) }

    public mutating func resetCounters() {
        accepted = 0
        proposed = 0
    }

    /// Recomputes the stored log densities (and gradients, when `withGradient`),
    /// after the density changed (e.g. new variational parameters).
    public mutating func refresh<D: LogDensity>(_ density: D, withGradient: Bool) {
        if withGradient {
            (logDensity, gradient) = density.logDensityAndGradient(fields)
        } else {
            logDensity = density.logDensity(fields)
            gradient = FieldBatch(rows: 0, columns: fields.columns)
        }
    }

    /// No chains (to `join` parts into).
    public static func empty(sites: Int) -> SamplerState {
        SamplerState(
            fields: FieldBatch(rows: 0, columns: sites), logDensity: [], gradient: FieldBatch(rows: 0, columns: sites),
            stepSize: [], random: [], accepted: 0, proposed: 0)
    }

    /// The chains `range` as a state of their own (counters start at zero).
    public func chains(_ range: Range<Int>) -> SamplerState {
        SamplerState(
            fields: fields.rows(range), logDensity: Array(logDensity[range]),
            gradient: gradient.rows == 0 ? gradient : gradient.rows(range),
            stepSize: Array(stepSize[range]), random: Array(random[range]), accepted: 0, proposed: 0,
            siteCursor: siteCursor)
    }

    /// The inverse of splitting into consecutive `chains(_:)` ranges: the parts'
    /// chains in order, their counters added to this state's.
    public mutating func join(_ parts: [SamplerState]) {
        func stack(_ m: [FieldBatch]) -> FieldBatch {
            FieldBatch(rows: m.reduce(0) { $0 + $1.rows }, columns: fields.columns, storage: m.flatMap(\.storage))
        }
        fields = stack(parts.map(\.fields))
        gradient = stack(parts.map(\.gradient))
        logDensity = parts.flatMap(\.logDensity)
        stepSize = parts.flatMap(\.stepSize)
        random = parts.flatMap(\.random)
        accepted += parts.reduce(0) { $0 + $1.accepted }
        proposed += parts.reduce(0) { $0 + $1.proposed }
        siteCursor = parts.first?.siteCursor  // every part made the same proposals
    }
}

extension SamplerState: RankPackable {
    public func pack(into words: inout PackedWords) {
        fields.pack(into: &words)
        logDensity.pack(into: &words)
        gradient.pack(into: &words)
        stepSize.pack(into: &words)
        random.pack(into: &words)
        accepted.pack(into: &words)
        proposed.pack(into: &words)
        siteCursor.pack(into: &words)
    }

    public init(unpacking words: inout PackedWords.Reader) {
        self.init(
            fields: FieldBatch(unpacking: &words), logDensity: [Double](unpacking: &words), gradient: FieldBatch(unpacking: &words),
            stepSize: [Double](unpacking: &words), random: [RandomSource](unpacking: &words), accepted: Int(unpacking: &words),
            proposed: Int(unpacking: &words), siteCursor: Int?(unpacking: &words))
    }
}
