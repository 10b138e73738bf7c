import Execution
import Parallelism

/// How a measurement's recorded series are analysed: the Gamma method, the
/// stop check the analysis polls (it can take as long as the sampling), and
/// the threads its observables are split over (results do not depend on them).
public struct Analysis: Sendable {
    public var gamma: GammaMethod
    public var stop: StopCheck
    public var parallelism: Parallelism

    public init(gamma: GammaMethod = GammaMethod(), stop: StopCheck = .never, parallelism: Parallelism = .serial) {
        self.gamma = gamma
        self.stop = stop
        self.parallelism = parallelism
    }

    /// One `Estimate` per observable of `series` (`GammaMethod.estimates`).
    public func estimates(_ series: ReplicaSeries) throws -> [Estimate] {
        try gamma.estimates(series, stop: stop, parallelism: parallelism)
    }

    /// Derived quantities at once, over the threads (`GammaMethod.estimates(of:gradients:series:)`).
    public func estimates(of values: [Double], gradients: [[Double]], series: ReplicaSeries) throws -> [Estimate] {
        try gamma.estimates(of: values, gradients: gradients, series: series, stop: stop, parallelism: parallelism)
    }

    /// The estimate of a derived quantity (`GammaMethod.estimate(of:gradient:series:)`).
    public func estimate(of value: Double, gradient: [Double], series: ReplicaSeries) throws -> Estimate {
        try stop.check()
        return gamma.estimate(of: value, gradient: gradient, series: series)
    }
}
