/// A Monte Carlo estimate: a mean with its error, never a bare number.
public struct Estimate: Sendable, Equatable, Codable {
    /// The sample mean.
    public var mean: Double
    /// Standard error of the mean, corrected for autocorrelation.
    public var error: Double
    /// The variance of one sample (unbiased, `1/(N-1)`).
    public var variance: Double
    /// Integrated autocorrelation time in units of recorded samples per chain
    /// (1/2 for independent samples); `error^2 = 2 tau_int variance / N`.
    public var tauInt: Double
    /// Number of samples `N` (all chains).
    public var count: Int
    /// True when the Gamma method's window reached its limit (half the series)
    /// before the autocorrelation had decayed, or the series has a single
    /// sample: then `error` and `tauInt` are lower bounds. nil means false.
    public var windowAtLimit: Bool?

    public init(mean: Double, error: Double, variance: Double, tauInt: Double, count: Int, windowAtLimit: Bool? = nil) {
        self.mean = mean
        self.error = error
        self.variance = variance
        self.tauInt = tauInt
        self.count = count
        self.windowAtLimit = windowAtLimit
    }
}
