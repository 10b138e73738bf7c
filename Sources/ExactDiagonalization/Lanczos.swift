import LinearAlgebra

/// The lowest eigenvalue of a real symmetric operator given only by its action
/// `y = A x`, by the Lanczos method with full reorthogonalisation (Golub and
/// Van Loan, Matrix Computations, §10.1). Stops when the lowest Ritz value moves
/// by less than `tolerance` (relative) between iterations, or at an invariant
/// subspace.
///
/// `checkpoint` runs before every application of `A` (stop requests, deadlines)
/// and may throw to abandon the computation.
///
/// - Complexity: `iterations` applications of `A` plus O(iterations^2 n).
public func lanczosLowestEigenvalue(
    dimension n: Int, start: [Double], tolerance: Double = 1e-14, maximumIterations: Int = 300,
    checkpoint: () throws -> Void = {}, apply: ([Double], inout [Double]) -> Void
) throws -> Double {
    precondition(start.count == n && n >= 1)
    var basis: [[Double]] = []
    var alpha: [Double] = [], beta: [Double] = []
    var q = normalised(start)
    var w = [Double](repeating: 0, count: n)
    var previous = Double.infinity
    for iteration in 0..<min(maximumIterations, n) {
        try checkpoint()
        basis.append(q)
        apply(q, &w)
        let a = dot(q, w)
        alpha.append(a)
        // Orthogonalise against every previous vector, twice (classical
        // Gram-Schmidt repeated once is enough in floating point).
        for _ in 0..<2 {
            for v in basis {
                let c = dot(v, w)
                for i in 0..<n { w[i] -= c * v[i] }
            }
        }
        let lowest = try tridiagonalEigenvalues(diagonal: alpha, offDiagonal: beta)[0]
        let b = dot(w, w).squareRoot()
        if abs(lowest - previous) <= tolerance * max(1, abs(lowest)) || b <= 1e-14 * max(1, abs(a)) || iteration == n - 1 {
            return lowest
        }
        previous = lowest
        beta.append(b)
        q = w.map { $0 / b }
    }
    return previous
}

private func dot(_ a: [Double], _ b: [Double]) -> Double {
    var s = 0.0
    for i in a.indices { s += a[i] * b[i] }
    return s
}

private func normalised(_ v: [Double]) -> [Double] {
    let norm = dot(v, v).squareRoot()
    precondition(norm > 0, "Lanczos needs a non-zero start vector")
    return v.map { $0 / norm }
}
