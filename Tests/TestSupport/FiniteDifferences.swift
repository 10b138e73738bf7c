import LinearAlgebra

/// Central finite differences of a scalar function of many variables: the
/// independent check every analytic derivative is tested against, and used only
/// in tests.
///
/// Accuracy: the first difference has truncation error `h^2 f'''/6` and rounding
/// error about `eps |f| / h`; with `h = 1e-4` and `|f| = O(10)` both are near
/// `1e-10`. The second difference has truncation `h^2 f''''/12` and rounding
/// `eps |f| / h^2`: with `h = 1e-3`, about `1e-9` for `|f| = O(10)`.
public enum FiniteDifference {
    /// `(f(x + h e_i) - f(x - h e_i)) / (2h)`.
    public static func first(_ f: ([Double]) -> Double, at x: [Double], index i: Int, step h: Double = 1e-4) -> Double {
        var plus = x, minus = x
        plus[i] += h
        minus[i] -= h
        return (f(plus) - f(minus)) / (2 * h)
    }

    /// `(f(x + h e_i) - 2 f(x) + f(x - h e_i)) / h^2`.
    public static func second(_ f: ([Double]) -> Double, at x: [Double], index i: Int, step h: Double = 1e-3) -> Double {
        var plus = x, minus = x
        plus[i] += h
        minus[i] -= h
        return (f(plus) - 2 * f(x) + f(minus)) / (h * h)
    }

    /// The gradient by central differences.
    public static func gradient(_ f: ([Double]) -> Double, at x: [Double], step h: Double = 1e-4) -> [Double] {
        x.indices.map { first(f, at: x, index: $0, step: h) }
    }

    /// The Jacobian `J_ij = d f_i / d x_j` of a map by central differences (`f(x).count x x.count`).
    public static func jacobian(_ f: ([Double]) -> [Double], at x: [Double], step h: Double) -> Matrix {
        let n = f(x).count
        var jacobian = Matrix(rows: n, columns: x.count)
        for j in x.indices {
            var plus = x, minus = x
            plus[j] += h
            minus[j] -= h
            let a = f(plus), b = f(minus)
            for i in 0..<n { jacobian.storage[i * x.count + j] = (a[i] - b[i]) / (2 * h) }
        }
        return jacobian
    }

    /// The Laplacian `sum_i d^2 f / dx_i^2` by central differences.
    public static func laplacian(_ f: ([Double]) -> Double, at x: [Double], step h: Double = 1e-3) -> Double {
        x.indices.reduce(0) { $0 + second(f, at: x, index: $1, step: h) }
    }
}
