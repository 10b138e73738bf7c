import Foundation
import LinearAlgebra
import Testing
import TestSupport

@Suite struct LinearAlgebraTests {
    /// The plain triple loop, the readable reference for the BLAS call.
    func reference(_ a: Matrix, _ ta: Transpose, _ b: Matrix, _ tb: Transpose) -> Matrix {
        func at(_ m: Matrix, _ t: Transpose, _ i: Int, _ j: Int) -> Double { t == .none ? m[i, j] : m[j, i] }
        let rows = ta == .none ? a.rows : a.columns
        let inner = ta == .none ? a.columns : a.rows
        let cols = tb == .none ? b.columns : b.rows
        var c = Matrix(rows: rows, columns: cols)
        for i in 0..<rows { for j in 0..<cols { for k in 0..<inner { c[i, j] += at(a, ta, i, k) * at(b, tb, k, j) } } }
        return c
    }

    @Test(arguments: [(Transpose.none, Transpose.none), (.transpose, .none), (.none, .transpose), (.transpose, .transpose)])
    func gemmMatchesLoops(ta: Transpose, tb: Transpose) {
        let (m, k, n) = (5, 7, 3)
        let a = ta == .none
            ? Matrix(rows: m, columns: k, storage: testFields(samples: m, sites: k, seed: 1).storage)
            : Matrix(rows: k, columns: m, storage: testFields(samples: k, sites: m, seed: 1).storage)
        let b = tb == .none
            ? Matrix(rows: k, columns: n, storage: testFields(samples: k, sites: n, seed: 2).storage)
            : Matrix(rows: n, columns: k, storage: testFields(samples: n, sites: k, seed: 2).storage)
        let c = product(a, ta, b, tb)
        #expect(maxRelativeDeviation(c.storage, reference(a, ta, b, tb).storage) < 1e-14)
    }

    /// The lower triangle of A^T A (or A A^T); the strict upper triangle untouched.
    @Test(arguments: [Transpose.none, .transpose])
    func syrkFillsTheLowerTriangle(trans: Transpose) {
        let a = Matrix(rows: 5, columns: 3, storage: testFields(samples: 5, sites: 3, seed: 11).storage)
        let full = trans == .none ? reference(a, .transpose, a, .none) : reference(a, .none, a, .transpose)
        var c = Matrix(rows: full.rows, columns: full.rows, repeating: 7)
        syrkLower(trans, a, alpha: 2, beta: 1, into: &c)
        for i in 0..<c.rows {
            for j in 0..<c.rows {
                #expect(isClose(c[i, j], j <= i ? 2 * full[i, j] + 7 : 7, relative: 1e-14))
            }
        }
    }

    @Test func gemvMatchesLoops() {
        let a = Matrix(rows: 4, columns: 6, storage: testFields(samples: 4, sites: 6, seed: 3).storage)
        let x = testFields(samples: 1, sites: 4, seed: 4).storage
        var y = [Double](repeating: 0, count: 6)
        gemv(.transpose, a, x, into: &y)
        let expected = (0..<6).map { j in (0..<4).reduce(0) { $0 + a[$1, j] * x[$1] } }
        #expect(maxRelativeDeviation(y, expected) < 1e-14)
    }

    @Test func choleskySolvesSymmetricPositiveDefiniteSystems() throws {
        let n = 6
        let r = Matrix(rows: n, columns: n, storage: testFields(samples: n, sites: n, seed: 9).storage)
        var a = product(r, .transpose, r, .none)  // R^T R + I is positive definite
        for i in 0..<n { a[i, i] += 1 }
        let b = testFields(samples: 1, sites: n, seed: 10).storage
        let x = try choleskySolve(a, b)
        var ax = [Double](repeating: 0, count: n)
        gemv(.none, a, x, into: &ax)
        #expect(maxRelativeDeviation(ax, b) < 1e-12)
    }

    @Test func choleskyRejectsIndefiniteMatrices() {
        let a = Matrix(rows: 2, columns: 2, storage: [1, 2, 2, 1])  // eigenvalues 3, -1
        #expect(throws: LinearAlgebraError.notPositiveDefinite(order: 2)) { try choleskySolve(a, [1, 1]) }
    }

    @Test func eigenvaluesOfALatticeLaplacian() throws {
        // The periodic 1D Laplacian on 6 sites: eigenvalues 4 sin^2(pi n / 6).
        let n = 6
        var a = Matrix(rows: n, columns: n)
        for i in 0..<n {
            a[i, i] = 2
            a[i, (i + 1) % n] -= 1
            a[i, (i + n - 1) % n] -= 1
        }
        let expected = (0..<n).map { 4 * pow(sin(Double.pi * Double($0) / Double(n)), 2) }.sorted()
        let values = try symmetricEigenvalues(a)
        #expect(zip(values, expected).allSatisfy { abs($0 - $1) < 1e-13 })
    }
}
