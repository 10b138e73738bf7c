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
    try lanczos(
        dimension: n, start: start, tolerance: tolerance, maximumIterations: maximumIterations, checkpoint: checkpoint,
        apply: apply
    ).lowest
}

/// The lowest eigenvalue and its normalised eigenvector: the Lanczos iteration
/// above, then the lowest eigenvector `y` of the tridiagonal matrix mapped back,
/// `x = sum_i y_i q_i` over the (reorthogonalised) Lanczos vectors.
public func lanczosLowestEigenpair(
    dimension n: Int, start: [Double], tolerance: Double = 1e-14, maximumIterations: Int = 300,
    checkpoint: () throws -> Void = {}, apply: ([Double], inout [Double]) -> Void
) throws -> (value: Double, vector: [Double]) {
    let run = try lanczos(
        dimension: n, start: start, tolerance: tolerance, maximumIterations: maximumIterations, checkpoint: checkpoint,
        apply: apply)
    let k = run.alpha.count
    var t = Matrix(rows: k, columns: k)
    for i in 0..<k {
        t[i, i] = run.alpha[i]
        if i + 1 < k { (t[i, i + 1], t[i + 1, i]) = (run.beta[i], run.beta[i]) }
    }
    let eigen = try symmetricEigensystem(t)
    var x = [Double](repeating: 0, count: n)
    for i in 0..<k {
        let y = eigen.vectors[i, 0]
        for j in 0..<n { x[j] += y * run.basis[i][j] }
    }
    // The value as `lanczosLowestEigenvalue` gives it (dstev), to the last bit.
    return (run.lowest, normalised(x))
}

/// The Lanczos iteration both entry points share: the lowest Ritz value, the
/// Lanczos vectors and the tridiagonal matrix's diagonal and off-diagonal.
private func lanczos(
    dimension n: Int, start: [Double], tolerance: Double, maximumIterations: Int,
    checkpoint: () throws -> Void, apply: ([Double], inout [Double]) -> Void
) throws -> (lowest: Double, basis: [[Double]], alpha: [Double], beta: [Double]) {
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
            return (lowest, basis, alpha, beta)
        }
        previous = lowest
        beta.append(b)
        q = w.map { $0 / b }
    }
    return (previous, basis, alpha, Array(beta.prefix(alpha.count - 1)))
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
