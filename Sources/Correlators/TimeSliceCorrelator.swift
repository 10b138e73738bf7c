import Foundation
import Lattice
import Measurements
import Output
import Statistics

/// The zero-momentum time-slice correlator of Euclidean configurations, time along
/// direction 0 (docs/CONVENTIONS.md §1): with `s(t) = sum_{x_s} phi(t, x_s)`,
///
///     C(t) = (1/V) sum_{t0} <s(t0 + t) s(t0)>,   C_c(t) = C(t) - V_s <phibar>^2,
///     m_eff(t) = arccosh[(C_c(t-1) + C_c(t+1)) / (2 C_c(t))],
///
/// and the pole mass from a weighted fit of `A cosh(m (t - T/2))` to `C_c(t)`,
/// t = 1..T-1. Every derived value's error is the Gamma-method error of its
/// linearised series (Wolff §3), so autocorrelations count everywhere.
public struct TimeSliceCorrelator: Measurements.Measurement {
    public let lattice: Lattice

    public static let file = "correlator_t.csv"

    public init(lattice: Lattice) {
        self.lattice = lattice
    }

    private var slices: Int { lattice.extent[0] }

    /// Per record and chain: `C(0..T-1)` of the configuration, then `phibar`.
    public var observables: Int { slices + 1 }

    public func record(_ sweep: MeasuredSweep, into out: UnsafeMutableBufferPointer<Double>) {
        let fields = sweep.fields
        let v = lattice.volume, t = slices, spatial = v / t, m = observables
        var sums = [Double](repeating: 0, count: t)
        fields.storage.withUnsafeBufferPointer { all in
            for c in 0..<fields.sampleCount {
                let phi = all.baseAddress! + c * v
                var total = 0.0
                for slice in 0..<t {
                    var s = 0.0
                    for x in 0..<spatial { s += phi[slice * spatial + x] }
                    sums[slice] = s
                    total += s
                }
                let row = out.baseAddress! + c * m
                for lag in 0..<t {
                    var sum = 0.0
                    for t0 in 0..<t { sum += sums[(t0 + lag) % t] * sums[t0] }
                    row[lag] = sum / Double(v)
                }
                row[t] = total / Double(v)
            }
        }
    }

    /// One row of correlator_t.csv.
    public struct Row: Sendable {
        public var t: Int
        public var correlator: Estimate
        public var connected: Estimate
        /// nil where the argument of arccosh is below 1 (no exponential decay resolved) or at t = 0, T-1.
        public var effectiveMass: Estimate?
    }

    /// The rows, and the fitted pole mass (nil when the fit has no minimum).
    public func result(_ series: ReplicaSeries, _ analysis: Analysis = Analysis()) throws -> (rows: [Row], poleMass: Estimate?) {
        let t = slices, n = series.observables
        let primary = try analysis.estimates(series)
        let spatial = Double(lattice.volume / t), meanField = primary[t].mean
        // C_c(t) and its gradient with respect to the recorded means.
        let connectedMeans = (0..<t).map { primary[$0].mean - spatial * meanField * meanField }
        func connectedGradient(_ lag: Int) -> [Double] {
            var g = [Double](repeating: 0, count: n)
            g[lag] = 1
            g[t] = -2 * spatial * meanField
            return g
        }
        let connected = try analysis.estimates(of: connectedMeans, gradients: (0..<t).map(connectedGradient), series: series)
        // m_eff(t) where the arccosh's argument exceeds 1, all analysed at once.
        var massLags: [Int] = [], massValues: [Double] = [], massGradients: [[Double]] = []
        for lag in 1..<max(1, t - 1) {
            let c = connectedMeans
            let r = (c[lag - 1] + c[lag + 1]) / (2 * c[lag])
            guard r > 1, c[lag] != 0 else { continue }
            let slope = 1 / (r * r - 1).squareRoot()
            var g = [Double](repeating: 0, count: n)
            for (index, weight) in [(lag - 1, 1 / (2 * c[lag])), (lag + 1, 1 / (2 * c[lag])), (lag, -r / c[lag])] {
                for (j, value) in connectedGradient(index).enumerated() { g[j] += slope * weight * value }
            }
            massLags.append(lag)
            massValues.append(acosh(r))
            massGradients.append(g)
        }
        let masses = try analysis.estimates(of: massValues, gradients: massGradients, series: series)
        var rows: [Row] = []
        for lag in 0..<t {
            let mass = massLags.firstIndex(of: lag).map { masses[$0] }
            rows.append(Row(t: lag, correlator: primary[lag], connected: connected[lag], effectiveMass: mass))
        }
        return (rows, try poleMass(series, connected: connected, gradient: connectedGradient, analysis: analysis))
    }

    /// Weighted least-squares fit of `A cosh(m (t - T/2))` to `C_c(t)`, t = 1..T-1,
    /// with weights `1/err^2`; `m` by golden-section search of the profile chi^2
    /// (A is linear), its gradient with respect to the data from the fit's
    /// normal equations, `dtheta/dC = (J^T W J)^{-1} J^T W` (Gauss–Newton).
    private func poleMass(
        _ series: ReplicaSeries, connected: [Estimate], gradient: (Int) -> [Double], analysis: Analysis
    ) throws -> Estimate? {
        let t = slices
        guard t >= 4 else { return nil }
        let lags = Array(1..<t)
        let weights = lags.map { connected[$0].error > 0 ? 1 / (connected[$0].error * connected[$0].error) : 0 }
        guard weights.allSatisfy({ $0 > 0 }) else { return nil }
        let half = Double(t) / 2
        func profile(_ m: Double) -> (chi2: Double, amplitude: Double) {
            var fc = 0.0, ff = 0.0
            for (i, lag) in lags.enumerated() {
                let f = cosh(m * (Double(lag) - half))
                fc += weights[i] * f * connected[lag].mean
                ff += weights[i] * f * f
            }
            let a = fc / ff
            var chi2 = 0.0
            for (i, lag) in lags.enumerated() {
                let r = connected[lag].mean - a * cosh(m * (Double(lag) - half))
                chi2 += weights[i] * r * r
            }
            return (chi2, a)
        }
        // Golden section on log m over [1e-4, 10].
        var lo = log(1e-4), hi = log(10.0)
        let ratio = (5.0.squareRoot() - 1) / 2
        for _ in 0..<200 {
            let a = hi - ratio * (hi - lo), b = lo + ratio * (hi - lo)
            if profile(exp(a)).chi2 < profile(exp(b)).chi2 { hi = b } else { lo = a }
        }
        let m = exp((lo + hi) / 2)
        guard m > 2e-4, m < 9.9 else { return nil }  // the minimum sits on an edge: no decay resolved
        let amplitude = profile(m).amplitude
        // J rows (df/dA, df/dm); N = J^T W J.
        var n00 = 0.0, n01 = 0.0, n11 = 0.0
        var jacobian: [(Double, Double)] = []
        for (i, lag) in lags.enumerated() {
            let u = Double(lag) - half
            let j = (cosh(m * u), amplitude * u * sinh(m * u))
            jacobian.append(j)
            n00 += weights[i] * j.0 * j.0
            n01 += weights[i] * j.0 * j.1
            n11 += weights[i] * j.1 * j.1
        }
        let determinant = n00 * n11 - n01 * n01
        guard determinant > 0 else { return nil }
        var g = [Double](repeating: 0, count: series.observables)
        for (i, lag) in lags.enumerated() {
            // Row m of N^{-1} J^T W: (-n01 j0 + n00 j1) w / det.
            let dm = (-n01 * jacobian[i].0 + n00 * jacobian[i].1) * weights[i] / determinant
            for (k, value) in gradient(lag).enumerated() { g[k] += dm * value }
        }
        return try analysis.estimate(of: m, gradient: g, series: series)
    }

    public func results(_ series: ReplicaSeries, _ analysis: Analysis) throws -> MeasurementResults {
        let (rows, pole) = try result(series, analysis)
        var table = CSVTable(header: ["t", "C", "C_err", "C_tau_int", "C_c", "C_c_err", "m_eff", "m_eff_err"])
        for row in rows {
            table.append([
                .integer(row.t), .number(row.correlator.mean), .number(row.correlator.error), .number(row.correlator.tauInt),
                .number(row.connected.mean), .number(row.connected.error),
                .number(row.effectiveMass?.mean ?? .nan), .number(row.effectiveMass?.error ?? .nan),
            ])
        }
        return MeasurementResults(estimates: pole.map { ["pole_mass": $0] } ?? [:], tables: [Self.file: table])
    }
}
