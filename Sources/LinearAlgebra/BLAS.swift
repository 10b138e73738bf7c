internal import COpenBLAS

/// Transposition flag for `gemm`.
public enum Transpose: Sendable {
    case none, transpose

    var cblas: CBLAS_TRANSPOSE { self == .none ? CblasNoTrans : CblasTrans }
}

/// `C = alpha op(A) op(B) + beta C` (BLAS dgemm, row-major).
///
/// - Complexity: O(m n k) for `op(A)` of size `m x k` and `op(B)` of size `k x n`.
public func gemm(
    _ transA: Transpose, _ a: Matrix, _ transB: Transpose, _ b: Matrix,
    alpha: Double = 1, beta: Double = 0, into c: inout Matrix
) {
    _ = singleThreadedBLAS
    let m = transA == .none ? a.rows : a.columns
    let k = transA == .none ? a.columns : a.rows
    let kb = transB == .none ? b.rows : b.columns
    let n = transB == .none ? b.columns : b.rows
    precondition(k == kb && c.rows == m && c.columns == n, "gemm: shapes do not conform")
    guard m > 0, n > 0 else { return }
    if k == 0 {
        for i in c.storage.indices { c.storage[i] *= beta }
        return
    }
    a.storage.withUnsafeBufferPointer { pa in
        b.storage.withUnsafeBufferPointer { pb in
            c.storage.withUnsafeMutableBufferPointer { pc in
                cblas_dgemm(
                    CblasRowMajor, transA.cblas, transB.cblas,
                    Int32(m), Int32(n), Int32(k), alpha,
                    pa.baseAddress, Int32(max(1, a.columns)),
                    pb.baseAddress, Int32(max(1, b.columns)),
                    beta, pc.baseAddress, Int32(max(1, c.columns)))
            }
        }
    }
}

/// `C = alpha op(A)^T op(A) + beta C` on the lower triangle of `C` only (BLAS
/// dsyrk, row-major); `op(A) = A` for `.none` (`C` is `A^T A`-shaped: columns x
/// columns), `A^T` for `.transpose` (`A A^T`). Half the flops of the gemm.
///
/// - Complexity: O(n^2 k) for an `n x n` result and inner dimension `k`.
public func syrkLower(_ trans: Transpose, _ a: Matrix, alpha: Double = 1, beta: Double = 0, into c: inout Matrix) {
    _ = singleThreadedBLAS
    // Row-major A (k x n) seen by BLAS: A^T A is dsyrk with trans = CblasTrans.
    let (n, k) = trans == .none ? (a.columns, a.rows) : (a.rows, a.columns)
    precondition(c.rows == n && c.columns == n, "syrkLower: shapes do not conform")
    guard n > 0, k > 0 else { return }
    a.storage.withUnsafeBufferPointer { pa in
        c.storage.withUnsafeMutableBufferPointer { pc in
            cblas_dsyrk(
                CblasRowMajor, CblasLower, trans == .none ? CblasTrans : CblasNoTrans, Int32(n), Int32(k), alpha,
                pa.baseAddress, Int32(max(1, a.columns)), beta, pc.baseAddress, Int32(max(1, n)))
        }
    }
}

/// `op(A) op(B)` as a new matrix (BLAS dgemm).
public func product(_ a: Matrix, _ transA: Transpose, _ b: Matrix, _ transB: Transpose) -> Matrix {
    let m = transA == .none ? a.rows : a.columns
    let n = transB == .none ? b.columns : b.rows
    var c = Matrix(rows: m, columns: n)
    gemm(transA, a, transB, b, into: &c)
    return c
}

/// `y = alpha op(A) x + beta y` (BLAS dgemv, row-major).
public func gemv(_ trans: Transpose, _ a: Matrix, _ x: [Double], alpha: Double = 1, beta: Double = 0, into y: inout [Double]) {
    _ = singleThreadedBLAS
    let (nx, ny) = trans == .none ? (a.columns, a.rows) : (a.rows, a.columns)
    precondition(x.count == nx && y.count == ny, "gemv: shapes do not conform")
    guard a.rows > 0, a.columns > 0 else {
        for i in y.indices { y[i] *= beta }
        return
    }
    a.storage.withUnsafeBufferPointer { pa in
        cblas_dgemv(
            CblasRowMajor, trans.cblas, Int32(a.rows), Int32(a.columns), alpha,
            pa.baseAddress, Int32(a.columns), x, 1, beta, &y, 1)
    }
}
