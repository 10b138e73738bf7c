import Foundation

/// The weighted least-squares fit of y = A x^p to points (x_i, y_i +- sigma_i),
/// x_i > 0 (e.g. a network ensemble's connected correlator against its width:
/// p = -1 at large width). Gauss–Newton from the straight-line fit of log|y|
/// against log x; the errors of A and p are the square roots of the diagonal of
/// (J^T W J)^-1 at the minimum, inflated by sqrt(chi2/dof) when that exceeds 1
/// (the Particle Data Group's scale factor).
public struct PowerLawFit: Sendable, Equatable, Codable {
    public var amplitude, amplitudeError, exponent, exponentError, chi2: Double
    public var degreesOfFreedom: Int

    /// nil with fewer than two points, or when the points do not determine a fit.
    public init?(x: [Double], y: [Double], error: [Double]) {
        let n = x.count
        guard n >= 2, y.count == n, error.count == n, x.allSatisfy({ $0 > 0 }), y.allSatisfy(\.isFinite),
            error.allSatisfy({ $0 > 0 && $0.isFinite })
        else {
            return nil
        }
        let w = error.map { 1 / ($0 * $0) }
        // Start: log|y| = log|A| + p log x, weighted by (y/sigma)^2.
        let sign: Double = y.reduce(0) { $0 + $1 } >= 0 ? 1 : -1
        var sw = 0.0, sx = 0.0, sy = 0.0, sxx = 0.0, sxy = 0.0
        for i in 0..<n where y[i] * sign > 0 {
            let lx = log(x[i]), ly = log(abs(y[i])), wi = w[i] * y[i] * y[i]
            sw += wi; sx += wi * lx; sy += wi * ly; sxx += wi * lx * lx; sxy += wi * lx * ly
        }
        var p = sw > 0 && sw * sxx - sx * sx > 0 ? (sw * sxy - sx * sy) / (sw * sxx - sx * sx) : -1
        var a = sw > 0 ? sign * exp((sy - p * sx) / sw) : y[0] * pow(x[0], 1)
        func objective(_ a: Double, _ p: Double) -> Double {
            (0..<n).reduce(0) { $0 + w[$1] * pow(y[$1] - a * pow(x[$1], p), 2) }
        }
        var normal = (0.0, 0.0, 0.0)
        for _ in 0..<100 {
            // J = (x^p, A x^p log x); solve (J^T W J) delta = J^T W r with a halving line search.
            var haa = 0.0, hap = 0.0, hpp = 0.0, ga = 0.0, gp = 0.0
            for i in 0..<n {
                let f = pow(x[i], p), ja = f, jp = a * f * log(x[i]), r = y[i] - a * f
                haa += w[i] * ja * ja; hap += w[i] * ja * jp; hpp += w[i] * jp * jp
                ga += w[i] * ja * r; gp += w[i] * jp * r
            }
            normal = (haa, hap, hpp)
            let det = haa * hpp - hap * hap
            guard det > 0 else { return nil }
            var da = (hpp * ga - hap * gp) / det, dp = (haa * gp - hap * ga) / det
            let before = objective(a, p)
            var step = 0
            while objective(a + da, p + dp) > before && step < 30 {
                da /= 2; dp /= 2; step += 1
            }
            a += da; p += dp
            if abs(dp) < 1e-12 * max(1, abs(p)) && abs(da) <= 1e-12 * abs(a) { break }
        }
        let det = normal.0 * normal.2 - normal.1 * normal.1
        guard det > 0, a.isFinite, p.isFinite else { return nil }
        let c = objective(a, p), dof = n - 2
        let scale = dof > 0 ? max(1, (c / Double(dof)).squareRoot()) : 1
        amplitude = a
        exponent = p
        amplitudeError = scale * (normal.2 / det).squareRoot()
        exponentError = scale * (normal.0 / det).squareRoot()
        chi2 = c
        degreesOfFreedom = dof
    }
}
