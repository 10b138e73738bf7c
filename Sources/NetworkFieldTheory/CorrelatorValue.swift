import Statistics

/// A correlator estimated from an ensemble, beside its exact value:
/// `deviation` = (value - exact) / error by `Agreement`'s rule (a zero error
/// agrees only with the exact value itself; a missing exact value never does).
public struct CorrelatorValue: Codable, Sendable, Equatable {
    public var value: Double
    public var error: Double
    /// The standard error of `error` (from the fourth moment: the check a
    /// heavy-tailed estimator needs).
    public var errorOfError: Double
    public var exact: Double

    public var deviation: Double { Agreement.deviation(value, error: error, from: exact) }

    /// The mean of independent samples y from the means of y, y^2, y^3, y^4 over
    /// `count` samples (`init(value:centralMoments:count:exact:)`).
    public init(rawMoments m: [Double], count: Int, exact: Double) {
        let mean = m[0]
        let mu2 = max(0, m[1] - mean * mean)
        let mu4 = m[3] - 4 * m[2] * mean + 6 * m[1] * mean * mean - 3 * mean * mean * mean * mean
        self.init(value: mean, centralMoments: (mu2, mu4), count: count, exact: exact)
    }

    /// `value` with the error of a mean of `count` independent values (samples, or a
    /// jackknife's pseudo-values) whose central moments are mu2, mu4: error
    /// sqrt(mu2/(M-1)), and the error of the error from Var(s^2) = (mu4 - mu2^2
    /// (M-3)/(M-1))/M, halved relative to s^2 (Cramér, Mathematical Methods of
    /// Statistics, 27.4).
    public init(value: Double, centralMoments: (mu2: Double, mu4: Double), count: Int, exact: Double) {
        let (mu2, mu4) = centralMoments, n = Double(count)
        self.value = value
        error = count > 1 ? (mu2 / (n - 1)).squareRoot() : .infinity
        let relativeVariance = mu2 > 0 ? max(0, (mu4 / (mu2 * mu2) - (n - 3) / (n - 1)) / n) : 0
        errorOfError = error * relativeVariance.squareRoot() / 2
        self.exact = exact
    }
}
