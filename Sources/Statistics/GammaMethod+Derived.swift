extension GammaMethod {
    /// The estimate of a derived quantity `f(<a_1>, ..., <a_M>)` of the means of
    /// `series`' observables, given `f` at the means and its gradient there.
    ///
    /// Wolff §3 (hep-lat/0306017): the error of `f` is the Gamma-method error of
    /// the linearised series `sum_j (df/dA_j) a_j` (the projected fluctuations),
    /// so its autocorrelations are accounted for exactly like a primary mean's.
    public func estimate(of value: Double, gradient: [Double], series: ReplicaSeries) -> Estimate {
        precondition(gradient.count == series.observables, "one derivative per observable")
        let m = series.observables, n = series.chains * series.records
        let active = gradient.indices.filter { gradient[$0] != 0 }
        var projected = [Double](repeating: 0, count: n)
        series.values.withUnsafeBufferPointer { a in
            for i in 0..<n {
                let row = a.baseAddress! + i * m
                var sum = 0.0
                for j in active { sum += gradient[j] * row[j] }
                projected[i] = sum
            }
        }
        var estimate = self.estimate(ReplicaSeries(chains: series.chains, observables: 1, values: projected))
        estimate.mean = value
        return estimate
    }
}
