import Lattice
import Statistics

/// The order parameter of the phi -> -phi symmetry, `M = sum_x phi_x` over the V
/// sites, from sampled fields (ground-state `|psi|^2` samples or Euclidean
/// configurations; docs/CONVENTIONS.md §1):
///
///     abs_magnetization = <|M|>/V,   chi2 = <M^2>/V,   binder = 1 - <M^4>/(3 <M^2>^2),
///
/// each with its Gamma-method error and tau_int. The Binder cumulant is 2/3 for a
/// field ordered in one of two wells and 0 for a Gaussian M (Binder, Z. Phys. B 43
/// (1981) 119), so its curves for several L cross near the transition. As a
/// function of two means, its error comes from the projected series
/// (`GammaMethod.estimate(of:gradient:series:)`, Wolff §3).
public struct OrderParameter: Measurement {
    public let volume: Int

    public static let names = ["abs_magnetization", "chi2", "binder"]
    /// Values per field (`moments`): `|M|/V, M^2/V, M^4/V^2`.
    public let observables = 3

    public init(volume: Int) {
        self.volume = volume
    }

    /// `|M|/V, M^2/V, M^4/V^2` of one field of `v` sites, written to `out[0..<3]`.
    public static func moments(_ phi: UnsafePointer<Double>, sites v: Int, into out: UnsafeMutablePointer<Double>) {
        var m = 0.0
        for x in 0..<v { m += phi[x] }
        let volume = Double(v)
        let m2 = m * m / volume
        out[0] = abs(m) / volume
        out[1] = m2
        out[2] = m2 * m2
    }

    /// The three estimates from the primary estimates of `series`, whose
    /// observables `offset ..< offset + 3` are `moments`.
    public static func estimates(
        primary: [Estimate], series: ReplicaSeries, offset: Int, analysis: Analysis
    ) throws -> [String: Estimate] {
        // U4 = 1 - <m4>/(3 <m2>^2) with m2 = M^2/V, m4 = M^4/V^2 (the V's cancel).
        let a = primary[offset + 1].mean, b = primary[offset + 2].mean
        var gradient = [Double](repeating: 0, count: series.observables)
        gradient[offset + 1] = 2 * b / (3 * a * a * a)
        gradient[offset + 2] = -1 / (3 * a * a)
        let binder = try analysis.estimate(of: 1 - b / (3 * a * a), gradient: gradient, series: series)
        return ["abs_magnetization": primary[offset], "chi2": primary[offset + 1], "binder": binder]
    }

    public func record(_ sweep: MeasuredSweep, into out: UnsafeMutableBufferPointer<Double>) {
        let fields = sweep.fields
        precondition(fields.siteCount == volume)
        fields.storage.withUnsafeBufferPointer { all in
            for c in 0..<fields.sampleCount {
                Self.moments(all.baseAddress! + c * volume, sites: volume, into: out.baseAddress! + c * observables)
            }
        }
    }

    public func results(_ series: ReplicaSeries, _ analysis: Analysis) throws -> MeasurementResults {
        MeasurementResults(
            estimates: try Self.estimates(primary: analysis.estimates(series), series: series, offset: 0, analysis: analysis))
    }
}
