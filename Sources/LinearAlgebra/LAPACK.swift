internal import CLAPACKE
import Foundation

/// Errors reported by LAPACK.
public enum LinearAlgebraError: Error, Equatable, CustomStringConvertible {
    /// The matrix is not positive definite (leading minor `order` is not positive).
    case notPositiveDefinite(order: Int)
    /// The routine failed with LAPACK's `info` code.
    case lapack(routine: String, info: Int)

    public var description: String {
        switch self {
        case .notPositiveDefinite(let order):
            return "matrix is not positive definite (leading minor \(order))"
        case .lapack(let routine, let info):
            return "LAPACK \(routine) failed with info = \(info)"
        }
    }
}

/// Solves `A x = b` for symmetric positive-definite `A` by a Cholesky
/// factorisation `A = L L^T` (LAPACK dposv). Only the lower triangle of `A` is read.
///
/// - Complexity: O(n^3 / 3).
/// - Throws: `LinearAlgebraError.notPositiveDefinite` if the factorisation fails.
public func choleskySolve(_ a: Matrix, _ b: [Double]) throws -> [Double] {
    _ = singleThreadedBLAS
    precondition(a.rows == a.columns && b.count == a.rows, "choleskySolve: shapes do not conform")
    let n = a.rows
    guard n > 0 else { return [] }
    var factor = a.storage
    var x = b
    let info = LAPACKE_dposv(LAPACK_ROW_MAJOR, Int8(UInt8(ascii: "L")), Int32(n), 1, &factor, Int32(n), &x, 1)
    if info > 0 { throw LinearAlgebraError.notPositiveDefinite(order: Int(info)) }
    if info < 0 { throw LinearAlgebraError.lapack(routine: "dposv", info: Int(info)) }
    return x
}

/// Eigenvalues of a real symmetric matrix in ascending order (LAPACK dsyevd).
/// Only the lower triangle is read.
///
/// - Complexity: O(n^3).
public func symmetricEigenvalues(_ a: Matrix) throws -> [Double] {
    _ = singleThreadedBLAS
    precondition(a.rows == a.columns, "symmetricEigenvalues: matrix is not square")
    let n = a.rows
    guard n > 0 else { return [] }
    var work = a.storage
    var w = [Double](repeating: 0, count: n)
    let info = LAPACKE_dsyevd(LAPACK_ROW_MAJOR, Int8(UInt8(ascii: "N")), Int8(UInt8(ascii: "L")), Int32(n), &work, Int32(n), &w)
    if info != 0 { throw LinearAlgebraError.lapack(routine: "dsyevd", info: Int(info)) }
    return w
}

/// Eigenvalues, ascending, of the symmetric tridiagonal matrix with `diagonal`
/// and `offDiagonal` (length n - 1) (LAPACK dstev).
///
/// - Complexity: O(n^2).
public func tridiagonalEigenvalues(diagonal: [Double], offDiagonal: [Double]) throws -> [Double] {
    _ = singleThreadedBLAS
    precondition(offDiagonal.count == max(0, diagonal.count - 1))
    guard !diagonal.isEmpty else { return [] }
    var d = diagonal
    var e = offDiagonal + [0]
    var z = [Double](repeating: 0, count: 1)
    let info = LAPACKE_dstev(LAPACK_COL_MAJOR, Int8(UInt8(ascii: "N")), Int32(d.count), &d, &e, &z, 1)
    if info != 0 { throw LinearAlgebraError.lapack(routine: "dstev", info: Int(info)) }
    return d
}

/// Eigenvalues (ascending) and orthonormal eigenvectors (the columns of the
/// returned matrix) of a real symmetric matrix (LAPACK dsyevd). Only the lower
/// triangle is read.
///
/// - Complexity: O(n^3).
public func symmetricEigensystem(_ a: Matrix) throws -> (values: [Double], vectors: Matrix) {
    _ = singleThreadedBLAS
    precondition(a.rows == a.columns, "symmetricEigensystem: matrix is not square")
    let n = a.rows
    guard n > 0 else { return ([], a) }
    var work = a.storage
    var w = [Double](repeating: 0, count: n)
    let info = LAPACKE_dsyevd(LAPACK_ROW_MAJOR, Int8(UInt8(ascii: "V")), Int8(UInt8(ascii: "L")), Int32(n), &work, Int32(n), &w)
    if info != 0 { throw LinearAlgebraError.lapack(routine: "dsyevd", info: Int(info)) }
    return (w, Matrix(rows: n, columns: n, storage: work))
}

/// `log |det A|` of a general square matrix from its LU factorisation with
/// partial pivoting (LAPACK dgetrf): the sum of `log |U_ii|`.
///
/// - Complexity: O(2 n^3 / 3).
/// - Throws: `LinearAlgebraError.lapack` when A is singular or the call fails.
public func logAbsDeterminant(_ a: Matrix) throws -> Double {
    _ = singleThreadedBLAS
    precondition(a.rows == a.columns, "logAbsDeterminant: the matrix is not square")
    let n = a.rows
    guard n > 0 else { return 0 }
    var factor = a.storage
    var pivots = [Int32](repeating: 0, count: n)
    let info = LAPACKE_dgetrf(LAPACK_ROW_MAJOR, Int32(n), Int32(n), &factor, Int32(n), &pivots)
    if info != 0 { throw LinearAlgebraError.lapack(routine: "dgetrf", info: Int(info)) }
    var sum = 0.0
    for i in 0..<n { sum += log(abs(factor[i * n + i])) }
    return sum
}
