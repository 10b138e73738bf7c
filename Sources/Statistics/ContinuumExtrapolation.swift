/// The eps -> 0 extrapolation of a path integral's energies E(eps) = E0 + b eps^2
/// (the symmetric Trotter error, docs/CONVENTIONS.md §1) by weighted least squares
/// over independent points (each ensemble has its own chains).
///
/// `statisticalError` propagates the points' errors; `fitError` is the
/// Particle Data Group's inflation for a poor fit, `stat * sqrt(chi2/dof - 1)`
/// when chi2/dof > 1 (0 otherwise, and with two points, which fit exactly), so
/// `error = sqrt(stat^2 + fit^2)` covers a curvature the eps^2 law misses.
public struct ContinuumExtrapolation: Sendable, Equatable, Codable {
    public var value: Double
    public var slope: Double
    public var statisticalError: Double
    public var fitError: Double
    public var chi2: Double
    public var degreesOfFreedom: Int

    public var error: Double { (statisticalError * statisticalError + fitError * fitError).squareRoot() }

    /// - Precondition: at least two distinct spacings with positive errors.
    public init(spacings: [Double], values: [Double], errors: [Double]) {
        precondition(spacings.count >= 2 && spacings.count == values.count && values.count == errors.count)
        // Normal equations of y = a + b x, x = eps^2, weights w = 1/err^2.
        var s = 0.0, sx = 0.0, sxx = 0.0, sy = 0.0, sxy = 0.0
        for i in spacings.indices {
            let w = 1 / (errors[i] * errors[i]), x = spacings[i] * spacings[i]
            s += w
            sx += w * x
            sxx += w * x * x
            sy += w * values[i]
            sxy += w * x * values[i]
        }
        let determinant = s * sxx - sx * sx
        value = (sxx * sy - sx * sxy) / determinant
        slope = (s * sxy - sx * sy) / determinant
        statisticalError = (sxx / determinant).squareRoot()
        var chi2 = 0.0
        for i in spacings.indices {
            let r = (values[i] - value - slope * spacings[i] * spacings[i]) / errors[i]
            chi2 += r * r
        }
        self.chi2 = chi2
        degreesOfFreedom = spacings.count - 2
        let reduced = degreesOfFreedom > 0 ? chi2 / Double(degreesOfFreedom) : 0
        fitError = reduced > 1 ? statisticalError * (reduced - 1).squareRoot() : 0
    }
}
