import LinearAlgebra
import NeuralAnsatz

/// A block-diagonal approximation of `(S + epsilon I)^{-1}`, the preconditioner of
/// the conjugate-gradient SR solve, one block per group of parameters:
/// - a dense block (the Gaussian's and its tail's, the output weights, a
///   convolutional network's) by the exact inverse of its diagonal block of `S + epsilon I`;
/// - a dense layer's weights and biases by K-FAC (Martens and Grosse, ICML 2015,
///   §3 and §6.3): the block `<(delta (x) z')(delta (x) z')^T>`, `z' = [z, 1]`,
///   approximated by `A (x) B` with `A = <delta delta^T>`, `B = <z' z'^T>` (uncentred), inverted as
///   `(A + pi sqrt(epsilon) I)^{-1} (x) (B + sqrt(epsilon)/pi I)^{-1}` with
///   `pi = sqrt((tr A / n_A) / (tr B / n_B))` splitting the shift between the factors;
/// - a dense block wider than the limit by its diagonal (Jacobi).
/// The solve's answer does not depend on the preconditioner, only the number of
/// iterations does. On the benchmark networks (W1, W2, W4) Jacobi alone left
/// relative residuals of 4e-5 to 8e-3 after the 50-iteration cap, this one 5e-7 to 3e-4.
struct BlockPreconditioner {
    private enum Block {
        case dense(Matrix)  // the inverse
        case diagonal([Double])  // the inverse diagonal
        case kronecker(left: Matrix, right: Matrix)  // the inverse factors
    }

    private var blocks: [Block] = []

    /// - Parameters:
    ///   - o: the log-derivatives; `mean`: their column means (`S` is centred).
    init(_ o: LogDerivatives, mean: [Double], shift: Double, denseLimit: Int = 512) throws {
        let n = Double(o.rows)
        var offset = 0
        for gram in o.gramBlocks(denseLimit: denseLimit) {
            switch gram {
            case .dense(let g):
                // S_kk = G/N - m m^T, plus the shift.
                var s = g
                let k = g.rows
                for i in 0..<k {
                    for j in 0..<k { s[i, j] = g[i, j] / n - mean[offset + i] * mean[offset + j] }
                    s[i, i] += shift
                }
                blocks.append(.dense(try Self.inverse(s)))
                offset += k
            case .diagonal(let d):
                blocks.append(.diagonal(d.indices.map { 1 / (d[$0] / n - mean[offset + $0] * mean[offset + $0] + shift) }))
                offset += d.count
            case .kronecker(let l, let r):
                let a = Self.scaled(l, 1 / n), b = Self.scaled(r, 1 / n)
                let traceA = (0..<a.rows).reduce(0) { $0 + a[$1, $1] } / Double(a.rows)
                let traceB = (0..<b.rows).reduce(0) { $0 + b[$1, $1] } / Double(b.rows)
                let pi = traceA > 0 && traceB > 0 ? (traceA / traceB).squareRoot() : 1
                let root = shift.squareRoot()
                blocks.append(.kronecker(left: try Self.inverse(a, plus: pi * root), right: try Self.inverse(b, plus: root / pi)))
                offset += a.rows * b.rows
            }
        }
    }

    /// `M^{-1} r`.
    func apply(_ r: [Double]) -> [Double] {
        var result: [Double] = []
        result.reserveCapacity(r.count)
        var offset = 0
        for block in blocks {
            switch block {
            case .dense(let inverse):
                var part = [Double](repeating: 0, count: inverse.rows)
                gemv(.none, inverse, Array(r[offset..<(offset + inverse.rows)]), into: &part)
                result += part
                offset += inverse.rows
            case .diagonal(let inverse):
                result += inverse.indices.map { inverse[$0] * r[offset + $0] }
                offset += inverse.count
            case .kronecker(let left, let right):
                // (A^-1 (x) B^-1) vec(R) = vec(A^-1 R B^-1) with R = (r_W | r_b).
                let layout = DenseLayerLayout(outputs: left.rows, inputs: right.rows - 1)
                let block = layout.augmented(r[offset..<(offset + layout.count)])
                result += layout.segment(product(product(left, .none, block, .none), .none, right, .none))
                offset += layout.count
            }
        }
        return result
    }

    private static func scaled(_ m: Matrix, _ factor: Double) -> Matrix {
        Matrix(rows: m.rows, columns: m.columns, storage: m.storage.map { $0 * factor })
    }

    /// `(M + shift I)^{-1}` of a symmetric positive semi-definite `M`, by its
    /// eigendecomposition (eigenvalues clamped at zero against rounding).
    private static func inverse(_ m: Matrix, plus shift: Double = 0) throws -> Matrix {
        let (values, vectors) = try symmetricEigensystem(m)
        var scaledVectors = vectors
        for i in 0..<m.rows {
            for j in 0..<m.rows { scaledVectors[i, j] /= max(values[j], 0) + shift }
        }
        return product(scaledVectors, .none, vectors, .transpose)
    }
}
