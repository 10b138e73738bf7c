/// The eps -> 0 extrapolation of a path integral's energies,
///
///     E(eps) = E0 + b eps^2             (two or three spacings),
///     E(eps) = E0 + b eps^2 + c eps^4   (four or more),
///
/// by weighted least squares over independent points (each ensemble has its own
/// chains). The symmetric Trotter error is even in eps (docs/CONVENTIONS.md §1); the
/// eps^4 term is not negligible at eps ~ 0.2: measured on the path integral at
/// L = 4, 8 and 16 (lambda = 24), an eps^2 line through eps = 0.2, 0.15, 0.1 landed
/// 1-1.5 of its errors below exact diagonalisation every time, with a fitted c of the
/// opposite sign to b (BENCHMARKS.md, run 10).
///
/// `statisticalError` propagates the points' errors; `fitError` is the Particle Data
/// Group's inflation for a poor fit, `stat * sqrt(chi2/dof - 1)` when chi2/dof > 1
/// (0 otherwise, and with as many points as terms, which fit exactly), so
/// `error = sqrt(stat^2 + fit^2)` covers a curvature the law misses.
public struct ContinuumExtrapolation: Sendable, Equatable, Codable {
    public var value: Double
    /// b, the eps^2 coefficient.
    public var slope: Double
    /// c, the eps^4 coefficient (0 when not fitted).
    public var curvature: Double
    public var statisticalError: Double
    public var fitError: Double
    public var chi2: Double
    public var degreesOfFreedom: Int

    public var error: Double { (statisticalError * statisticalError + fitError * fitError).squareRoot() }

    /// The number of terms fitted to `points` spacings: 2 below four points, else 3.
    public static func terms(points: Int) -> Int { points >= 4 ? 3 : 2 }

    /// - Precondition: at least two distinct spacings with positive errors.
    public init(spacings: [Double], values: [Double], errors: [Double]) {
        precondition(spacings.count >= 2 && spacings.count == values.count && values.count == errors.count)
        let k = Self.terms(points: spacings.count)
        // Normal equations N p = r of y = sum_j p_j x^j, x = eps^2, weights 1/err^2.
        var normal = [[Double]](repeating: [Double](repeating: 0, count: k), count: k)
        var rhs = [Double](repeating: 0, count: k)
        for i in spacings.indices {
            let w = 1 / (errors[i] * errors[i]), x = spacings[i] * spacings[i]
            let powers = (0..<k).map { j in (0..<j).reduce(1.0) { p, _ in p * x } }
            for a in 0..<k {
                rhs[a] += w * powers[a] * values[i]
                for b in 0..<k { normal[a][b] += w * powers[a] * powers[b] }
            }
        }
        let inverse = Self.invert(normal)
        let p = (0..<k).map { a in (0..<k).reduce(0.0) { $0 + inverse[a][$1] * rhs[$1] } }
        value = p[0]
        slope = p[1]
        curvature = k > 2 ? p[2] : 0
        statisticalError = inverse[0][0].squareRoot()
        var chi2 = 0.0
        for i in spacings.indices {
            let x = spacings[i] * spacings[i]
            let r = (values[i] - value - slope * x - curvature * x * x) / errors[i]
            chi2 += r * r
        }
        self.chi2 = chi2
        degreesOfFreedom = spacings.count - k
        let reduced = degreesOfFreedom > 0 ? chi2 / Double(degreesOfFreedom) : 0
        fitError = reduced > 1 ? statisticalError * (reduced - 1).squareRoot() : 0
    }

    /// The inverse of a small symmetric positive-definite matrix by Gauss–Jordan
    /// elimination with partial pivoting.
    static func invert(_ m: [[Double]]) -> [[Double]] {
        let n = m.count
        var a = m
        var inverse = (0..<n).map { i in (0..<n).map { $0 == i ? 1.0 : 0.0 } }
        for column in 0..<n {
            let pivot = (column..<n).max { abs(a[$0][column]) < abs(a[$1][column]) }!
            a.swapAt(column, pivot)
            inverse.swapAt(column, pivot)
            let d = a[column][column]
            for j in 0..<n {
                a[column][j] /= d
                inverse[column][j] /= d
            }
            for row in 0..<n where row != column {
                let f = a[row][column]
                for j in 0..<n {
                    a[row][j] -= f * a[column][j]
                    inverse[row][j] -= f * inverse[column][j]
                }
            }
        }
        return inverse
    }
}
