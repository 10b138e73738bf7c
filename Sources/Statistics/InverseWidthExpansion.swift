/// The weighted least-squares fit of y = a/N + b/N^2 to points (N_i, y_i +- sigma_i):
/// the 1/N expansion of a finite-width network ensemble's deviation from its
/// N -> infinity limit (b fixed to 0 with two points). Linear in (a, b): the
/// normal equations are solved exactly; errors from their inverse, scaled by
/// sqrt(chi2/dof) when that exceeds 1.
public struct InverseWidthExpansion: Sendable, Equatable, Codable {
    public var leading, leadingError, next, nextError, chi2: Double
    public var degreesOfFreedom: Int

    public init?(widths: [Double], values: [Double], errors: [Double]) {
        let n = widths.count
        guard n >= 2, values.count == n, errors.count == n, widths.allSatisfy({ $0 > 0 }), values.allSatisfy(\.isFinite),
            errors.allSatisfy({ $0 > 0 && $0.isFinite })
        else { return nil }
        let quadratic = n >= 3
        var s11 = 0.0, s12 = 0.0, s22 = 0.0, t1 = 0.0, t2 = 0.0
        for i in 0..<n {
            let w = 1 / (errors[i] * errors[i]), f1 = 1 / widths[i], f2 = quadratic ? f1 * f1 : 0
            s11 += w * f1 * f1; s12 += w * f1 * f2; s22 += w * f2 * f2
            t1 += w * f1 * values[i]; t2 += w * f2 * values[i]
        }
        let det = quadratic ? s11 * s22 - s12 * s12 : s11
        guard det > 0 else { return nil }
        let a = quadratic ? (s22 * t1 - s12 * t2) / det : t1 / s11
        let b = quadratic ? (s11 * t2 - s12 * t1) / det : 0
        var c = 0.0
        for i in 0..<n {
            let r = (values[i] - a / widths[i] - b / (widths[i] * widths[i])) / errors[i]
            c += r * r
        }
        let dof = n - (quadratic ? 2 : 1)
        let scale = dof > 0 ? max(1, (c / Double(dof)).squareRoot()) : 1
        leading = a
        next = b
        leadingError = scale * (quadratic ? (s22 / det).squareRoot() : (1 / s11).squareRoot())
        nextError = quadratic ? scale * (s11 / det).squareRoot() : 0
        chi2 = c
        degreesOfFreedom = dof
    }
}
