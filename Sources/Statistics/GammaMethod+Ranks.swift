import Parallelism

extension GammaMethod {
    /// The estimate of one observable whose chains are spread over ranks: each
    /// rank passes its own chains' series (`localChains` chains, `records` each,
    /// record-major like `ReplicaSeries`), none of which leaves the rank. The
    /// mean and every `Gamma(t)` are sums over chains, added exactly
    /// (`Parallelism.totals`), so the estimate is the same on every rank and for
    /// any split of the chains over ranks; the window search (`WindowSearch`) runs
    /// on the reduced `Gamma(t)`, eight lags per collective.
    ///
    /// A collective: every rank calls it, with the same `records`.
    ///
    /// - Throws: `NonFiniteSamples` when a value on any rank is not finite (the
    ///   exact sum is then NaN, agreed by every rank): the caller's divergence
    ///   guard handles it.
    public func estimate(localValues values: [Double], localChains r: Int, records t: Int, parallelism: Parallelism) throws -> Estimate {
        precondition(values.count == r * t)
        let counts = parallelism.totals([values, [Double(values.count)]])
        guard counts[0].isFinite, counts[1].isFinite, counts[1] >= 1 else { throw NonFiniteSamples(total: counts[0]) }
        let n = Int(counts[1])
        let mean = counts[0] / Double(n)
        let delta = values.map { $0 - mean }
        var search = WindowSearch(samples: n, records: t, windowFactor: windowFactor)
        var lag = 0
        while search.window == nil {
            let lags = lag..<min(lag + 8, search.maxLag + 1)
            let products = lags.map { l in
                (0..<(r * max(0, t - l))).map { k in delta[k] * delta[k + l * r] }
            }
            let sums = parallelism.totals(products)
            for (l, sum) in zip(lags, sums) where search.window == nil {
                search.add(sum / (Double(n / t) * Double(t - l)))
            }
            lag = lags.upperBound
        }
        return search.estimate(mean: mean)
    }
}

/// Samples whose exact sum is not finite (a NaN or infinity among them).
public struct NonFiniteSamples: Error, Sendable, CustomStringConvertible {
    public var total: Double
    public init(total: Double) { self.total = total }
    public var description: String { "the samples' sum is \(total): a sample is not finite" }
}
