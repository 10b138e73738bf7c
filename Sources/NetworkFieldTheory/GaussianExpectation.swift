import Foundation
import LinearAlgebra

/// E[prod_k sigma(z_k)] for a zero-mean Gaussian vector z with covariance Sigma
/// (one neuron's pre-activations at a few inputs), by quadrature: the reference
/// for activations without a closed form (erf, relu four-point functions).
///
/// Sigma = sum_i lambda_i e_i e_i^T, so z = c_k . v with v standard normal over the
/// r directions of non-zero lambda (c_ki = sqrt(lambda_i) (e_i)_k). The integrand
/// is smooth except on the hyperplanes c_k . v = 0 (relu's kinks, erf's steps), so
/// each direction is integrated by composite Gauss–Legendre with panel ends at the
/// points where the remaining integrand stops being smooth: innermost (v_0, the
/// largest lambda) where a z_k vanishes; at outer level j, where r - j + 1 of the
/// hyperplanes meet in the space of v_j and the directions inside it (solved
/// exactly). Between those ends the integrand is analytic, and the panels are
/// short on the scale of phi and of the steepest z_k, so the rule converges
/// geometrically. The tests check it against the closed forms of the two-point
/// kernels, of gauss and cos four-point functions and of relu at coincident points,
/// and its convergence as the panels shrink.
public struct GaussianExpectation: Sendable {
    /// z_k = sum_i loadings[k][i] v_i; the innermost direction is column 0.
    let loadings: [[Double]]
    /// Sigma_kk (the Gauss-net's normaliser).
    let variances: [Double]
    /// The longest panel, on the scale of the standard normal density (refinement for tests).
    public let panel: Double

    public init(covariance: [[Double]], panel: Double = 1) {
        let n = covariance.count
        var a = Matrix(rows: n, columns: n)
        for k in 0..<n { for l in 0..<n { a[k, l] = covariance[k][l] } }
        let (values, vectors) = (try? symmetricEigensystem(a)) ?? ([Double](repeating: 0, count: n), a)
        let largest = values.max() ?? 0
        // Descending, so column 0 has the largest eigenvalue.
        let kept = values.indices.filter { values[$0] > 1e-13 * largest && values[$0] > 0 }.sorted { values[$0] > values[$1] }
        loadings = (0..<n).map { k in kept.map { i in values[i].squareRoot() * vectors[k, i] } }
        variances = (0..<n).map { covariance[$0][$0] }
        self.panel = panel
    }

    /// E[prod_k sigma(z_k)] (for gauss sigma(z_k) = exp(z_k - Sigma_kk)).
    public func productOf(_ activation: NetworkActivation) -> Double {
        let rank = loadings.first?.count ?? 0
        let sigma: (Int, Double) -> Double
        switch activation {
        case .erf: sigma = { erf($1) }
        case .relu: sigma = { max(0, $1) }
        case .gauss: sigma = { [variances] in exp($1 - variances[$0]) }
        case .cos: sigma = { cos($1) }
        }
        guard rank > 0 else { return loadings.indices.reduce(1) { p, k in p * sigma(k, 0) } }
        let slopes = loadings.map { $0[0] }
        // Outer levels j = 1 ..< rank, outermost first; `fixed` holds v_1 ... v_{j-1}.
        func level(_ j: Int, _ fixed: [Double]) -> Double {
            if j == rank {
                let offsets = loadings.map { row in (1..<rank).reduce(0.0) { $0 + row[$1] * fixed[$1 - 1] } }
                return inner(offsets: offsets, slopes: slopes, sigma)
            }
            let steepest = loadings.map { abs($0[j]) }.max() ?? 1
            let ends = [-9.0, 9.0] + kinks(level: j, fixed: fixed)
            return Self.legendreSum(ends: ends, width: min(3 * panel, 2 * panel / steepest), rule: rank < 4 ? Self.legendre : Self.coarseRule) { v in
                level(j + 1, fixed + [v]) * exp(-v * v / 2) / (2 * Double.pi).squareRoot()
            }
        }
        return level(1, [])
    }

    /// The values of v_j at which the integral over v_0 and v_{j+1} ... v_{r-1}
    /// (v_1 ... v_{j-1} = `fixed`) is not smooth: where r - j + 1 of the
    /// hyperplanes c_k . v = 0 meet, a linear system in (v_0, v_j, ..., v_{r-1}).
    private func kinks(level j: Int, fixed: [Double]) -> [Double] {
        let rank = loadings[0].count
        let free = [0] + Array(j..<rank)
        let size = free.count
        guard size <= loadings.count else { return [] }
        var result: [Double] = []
        for subset in Self.subsets(of: loadings.count, size: size) {
            var a = Matrix(rows: size, columns: size)
            var b = [Double](repeating: 0, count: size)
            for (row, k) in subset.enumerated() {
                for (column, i) in free.enumerated() { a[row, column] = loadings[k][i] }
                b[row] = -(1..<j).reduce(0.0) { $0 + loadings[k][$1] * fixed[$1 - 1] }
            }
            if let solution = Self.solve(a, b) { result.append(solution[1]) }
        }
        return result
    }

    /// Gaussian elimination with partial pivoting; nil when (nearly) singular.
    private static func solve(_ a: Matrix, _ b: [Double]) -> [Double]? {
        var m = a, x = b
        let n = b.count
        let scale = m.storage.map(abs).max() ?? 0
        for col in 0..<n {
            guard let pivot = (col..<n).max(by: { abs(m[$0, col]) < abs(m[$1, col]) }), abs(m[pivot, col]) > 1e-12 * scale else {
                return nil
            }
            if pivot != col {
                for c in 0..<n { (m[col, c], m[pivot, c]) = (m[pivot, c], m[col, c]) }
                x.swapAt(col, pivot)
            }
            for r in (col + 1)..<n {
                let f = m[r, col] / m[col, col]
                for c in col..<n { m[r, c] -= f * m[col, c] }
                x[r] -= f * x[col]
            }
        }
        for r in stride(from: n - 1, through: 0, by: -1) {
            x[r] = ((r + 1)..<n).reduce(x[r]) { $0 - m[r, $1] * x[$1] } / m[r, r]
        }
        return x
    }

    private static func subsets(of n: Int, size: Int) -> [[Int]] {
        guard size > 0 else { return [[]] }
        guard size <= n else { return [] }
        return (0..<n).flatMap { first in subsets(of: n - first - 1, size: size - 1).map { [first] + $0.map { $0 + first + 1 } } }
    }

    /// sum over the panels between sorted `ends` (clipped to the first two), each cut
    /// to at most `width`, of 12-point Gauss–Legendre applied to f.
    static func legendreSum(ends: [Double], width: Double, rule: (nodes: [Double], weights: [Double]) = legendre, _ f: (Double) -> Double) -> Double {
        let (lo, hi) = (ends[0], ends[1])
        let points = ([lo, hi] + ends.dropFirst(2).filter { $0 > lo && $0 < hi }).sorted()
        var sum = 0.0
        for (a, b) in zip(points, points.dropFirst()) where b > a {
            let pieces = max(1, Int(((b - a) / width).rounded(.up)))
            let h = (b - a) / Double(pieces)
            for piece in 0..<pieces {
                let mid = a + (Double(piece) + 0.5) * h
                for (x, w) in zip(rule.nodes, rule.weights) { sum += h / 2 * w * f(mid + h / 2 * x) }
            }
        }
        return sum
    }

    /// int prod_k sigma(offsets_k + slopes_k t) phi(t) dt, phi the standard normal density.
    private func inner(offsets: [Double], slopes: [Double], _ sigma: (Int, Double) -> Double) -> Double {
        var ends: [Double] = [-10, 10]
        for (a, b) in zip(offsets, slopes) where abs(b) > 1e-300 {
            let t = -a / b, w = 1 / abs(b)
            for delta in [-4.0, -1, 0, 1, 4] { ends.append(t + delta * w) }
        }
        return Self.legendreSum(ends: ends, width: 2 * panel) { t in
            var f = exp(-t * t / 2) / (2 * Double.pi).squareRoot()
            for k in offsets.indices { f *= sigma(k, offsets[k] + slopes[k] * t) }
            return f
        }
    }

    /// 8-point Gauss–Legendre on [-1, 1]: the outer levels of rank 4 (three nested
    /// levels; about 1e-6 relative instead of 1e-8, at a fifth of the cost).
    private static let coarseRule = golubWelsch(
        count: 8, offDiagonal: { k in Double(k) / (4 * Double(k * k) - 1).squareRoot() }, totalWeight: 2)

    /// 12-point Gauss–Legendre on [-1, 1].
    static let legendre = golubWelsch(
        count: 12, offDiagonal: { k in Double(k) / (4 * Double(k * k) - 1).squareRoot() }, totalWeight: 2)

    /// Nodes and weights of the Gauss rule of the orthogonal polynomials whose
    /// symmetric Jacobi matrix has zero diagonal and off-diagonal(k), k = 1 ..< n
    /// (Golub and Welsch, Math. Comp. 23 (1969) 221): nodes are its eigenvalues,
    /// weights totalWeight times the squared first eigenvector components.
    private static func golubWelsch(count n: Int, offDiagonal: (Int) -> Double, totalWeight: Double)
        -> (nodes: [Double], weights: [Double])
    {
        var jacobi = Matrix(rows: n, columns: n)
        for k in 1..<n {
            jacobi[k, k - 1] = offDiagonal(k)
            jacobi[k - 1, k] = offDiagonal(k)
        }
        guard let (values, vectors) = try? symmetricEigensystem(jacobi) else { preconditionFailure("dsyevd failed on a Jacobi matrix") }
        return (values, (0..<n).map { totalWeight * vectors[0, $0] * vectors[0, $0] })
    }
}
