import Execution
import Parallelism

extension GammaMethod {
    /// The estimate of a derived quantity `f(<a_1>, ..., <a_M>)` of the means of
    /// `series`' observables, given `f` at the means and its gradient there.
    ///
    /// Wolff §3 (hep-lat/0306017): the error of `f` is the Gamma-method error of
    /// the linearised series `sum_j (df/dA_j) a_j` (the projected fluctuations),
    /// so its autocorrelations are accounted for exactly like a primary mean's.
    public func estimate(of value: Double, gradient: [Double], series: ReplicaSeries) -> Estimate {
        var estimate = self.estimate(Self.projected([gradient], series))
        estimate.mean = value
        return estimate
    }

    /// Several derived quantities at once: their projected series side by side,
    /// analysed as one series over the threads (the same numbers as one by one).
    public func estimates(
        of values: [Double], gradients: [[Double]], series: ReplicaSeries, stop: StopCheck, parallelism: Parallelism
    ) throws -> [Estimate] {
        precondition(values.count == gradients.count)
        guard !values.isEmpty else { return [] }
        var estimates = try self.estimates(Self.projected(gradients, series), stop: stop, parallelism: parallelism)
        for i in estimates.indices { estimates[i].mean = values[i] }
        return estimates
    }

    /// The series `sum_j g_j a_j` for each gradient `g`, side by side.
    static func projected(_ gradients: [[Double]], _ series: ReplicaSeries) -> ReplicaSeries {
        let m = series.observables, n = series.chains * series.records, k = gradients.count
        for g in gradients { precondition(g.count == m, "one derivative per observable") }
        let active = gradients.map { g in g.indices.filter { g[$0] != 0 } }
        var projected = [Double](repeating: 0, count: n * k)
        series.values.withUnsafeBufferPointer { a in
            for i in 0..<n {
                let row = a.baseAddress! + i * m
                for (q, g) in gradients.enumerated() {
                    var sum = 0.0
                    for j in active[q] { sum += g[j] * row[j] }
                    projected[i * k + q] = sum
                }
            }
        }
        return ReplicaSeries(chains: series.chains, observables: k, values: projected)
    }
}
