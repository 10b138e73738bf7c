import LinearAlgebra

/// The log-derivatives `O_{b,p} = d log psi(phi_b) / d theta_p` of a batch
/// (`B x P`), kept in the factored form a network produces them in.
///
/// The weights of a dense layer, `h_j = sum_i W_ji z_i + b_j`, have the derivative
/// `d f/d W_ji = delta_j z_i` with `delta = df/dh`: per sample an outer product, so
/// the `B x (n_out n_in)` block is the row-wise Kronecker (face-splitting) product
/// of `delta` (`B x n_out`) and `z` (`B x n_in`). Storing the factors costs
/// `B (n_out + n_in)` instead of `B n_out n_in` numbers, and the products SR needs
/// become two gemm of the factors:
///
///     (O v)_b    = sum_j delta_bj (z_b . V_j),        V = v reshaped n_out x n_in,
///     (O^T u)_ji = sum_b u_b delta_bj z_bi  = (delta^T diag(u) z)_ji,
///
/// each `2 B n_out n_in` flops at gemm speed, where the stored matrix would be a
/// memory-bound gemv over `B n_out n_in` numbers (72 MB for L = 32, H = 64,
/// B = 4096). This is how NetKet's `QGTOnTheFly` avoids storing `O`, without
/// its per-iteration backward pass.
public struct ParameterJacobian: Sendable {
    /// One horizontal block of columns.
    public enum Block: Sendable {
        /// Columns stored explicitly (`B x n`).
        case dense(Matrix)
        /// `sum_t left_t (x) right_t` row by row: column `j n_in + i` of row `b` is
        /// `sum_t left_t[b, j] right_t[b, i]` (a weight matrix, row-major). A sum
        /// of terms serves symmetrised networks, `f(phi) + f(-phi)`.
        case outer([OuterTerm])

        var columns: Int {
            switch self {
            case .dense(let m): m.columns
            case .outer(let terms): terms[0].left.columns * terms[0].right.columns
            }
        }
    }

    /// One row-wise outer product; both factors have `B` rows.
    public struct OuterTerm: Sendable {
        public var left: Matrix
        public var right: Matrix

        public init(left: Matrix, right: Matrix) {
            precondition(left.rows == right.rows)
            self.left = left
            self.right = right
        }
    }

    public private(set) var blocks: [Block] = []
    /// `B`.
    public let rows: Int
    /// `P`.
    public private(set) var columns = 0

    public init(rows: Int) { self.rows = rows }

    public init(dense: Matrix) {
        self.init(rows: dense.rows)
        append(.dense(dense))
    }

    /// Adds columns on the right.
    public mutating func append(_ block: Block) {
        switch block {
        case .dense(let m): precondition(m.rows == rows)
        case .outer(let terms):
            precondition(!terms.isEmpty && terms.allSatisfy {
                $0.left.rows == rows && $0.left.columns == terms[0].left.columns
                    && $0.right.columns == terms[0].right.columns
            })
        }
        blocks.append(block)
        columns += block.columns
    }

    public mutating func append(contentsOf other: ParameterJacobian) {
        precondition(other.rows == rows)
        for block in other.blocks { append(block) }
    }

    /// `self + other` for two Jacobians of the same block layout (the two halves
    /// of a symmetrised network): dense blocks add, outer blocks collect terms.
    public func adding(_ other: ParameterJacobian) -> ParameterJacobian {
        precondition(other.rows == rows && other.blocks.count == blocks.count)
        var sum = ParameterJacobian(rows: rows)
        for (a, b) in zip(blocks, other.blocks) {
            switch (a, b) {
            case (.dense(var x), .dense(let y)):
                precondition(x.columns == y.columns)
                for i in x.storage.indices { x.storage[i] += y.storage[i] }
                sum.append(.dense(x))
            case (.outer(let x), .outer(let y)): sum.append(.outer(x + y))
            default: preconditionFailure("Jacobian block layouts differ")
            }
        }
        return sum
    }

    /// The Jacobians of consecutive sub-batches, as one (rows stacked).
    public init(stacking parts: [ParameterJacobian]) {
        precondition(!parts.isEmpty)
        self.init(rows: parts.reduce(0) { $0 + $1.rows })
        func stack(_ matrices: [Matrix]) -> Matrix {
            Matrix(rows: rows, columns: matrices[0].columns, storage: matrices.flatMap(\.storage))
        }
        for k in parts[0].blocks.indices {
            switch parts[0].blocks[k] {
            case .dense:
                append(.dense(stack(parts.map { if case .dense(let m) = $0.blocks[k] { m } else { preconditionFailure() } })))
            case .outer(let first):
                let terms = parts.map { if case .outer(let t) = $0.blocks[k] { t } else { preconditionFailure() } }
                append(.outer((0..<first.count).map { t in
                    OuterTerm(left: stack(terms.map { $0[t].left }), right: stack(terms.map { $0[t].right }))
                }))
            }
        }
    }

    /// `O v` (`B` values) for `v` of length `P`.
    public func apply(_ v: [Double]) -> [Double] {
        precondition(v.count == columns)
        var result = [Double](repeating: 0, count: rows)
        var offset = 0
        for block in blocks {
            let segment = Array(v[offset..<(offset + block.columns)])
            switch block {
            case .dense(let m): gemv(.none, m, segment, beta: 1, into: &result)
            case .outer(let terms):
                let weights = Matrix(rows: terms[0].left.columns, columns: terms[0].right.columns, storage: segment)
                for term in terms {
                    // (z V^T)_bj, then the row-wise dot with delta.
                    let projected = product(term.right, .none, weights, .transpose)
                    let n = projected.columns
                    term.left.storage.withUnsafeBufferPointer { l in
                        projected.storage.withUnsafeBufferPointer { q in
                            for b in 0..<rows {
                                var s = 0.0
                                for j in 0..<n { s += l[b * n + j] * q[b * n + j] }
                                result[b] += s
                            }
                        }
                    }
                }
            }
            offset += block.columns
        }
        return result
    }

    /// `O^T u` (`P` values) for `u` of length `B`.
    public func applyTranspose(_ u: [Double]) -> [Double] {
        precondition(u.count == rows)
        var result: [Double] = []
        result.reserveCapacity(columns)
        for block in blocks {
            switch block {
            case .dense(let m):
                var part = [Double](repeating: 0, count: m.columns)
                gemv(.transpose, m, u, into: &part)
                result += part
            case .outer(let terms):
                var part = Matrix(rows: terms[0].left.columns, columns: terms[0].right.columns)
                for term in terms {
                    gemm(.transpose, term.left, .none, term.right.scalingRows(by: u), beta: 1, into: &part)
                }
                result += part.storage
            }
        }
        return result
    }

    /// `sum_b O_bp^2` (the diagonal of `O^T O`). For an outer block
    /// `(sum_t l_t r_t)^2 = sum_{t,s} (l_t l_s)(r_t r_s)`, one gemm per pair.
    public var columnSquareSums: [Double] {
        var result: [Double] = []
        result.reserveCapacity(columns)
        for block in blocks {
            switch block {
            case .dense(let m):
                var part = [Double](repeating: 0, count: m.columns)
                for b in 0..<rows { for q in 0..<m.columns { part[q] += m[b, q] * m[b, q] } }
                result += part
            case .outer(let terms):
                var part = Matrix(rows: terms[0].left.columns, columns: terms[0].right.columns)
                for t in terms.indices {
                    for s in terms.indices {
                        gemm(.transpose, terms[t].left.multiplying(terms[s].left), .none,
                             terms[t].right.multiplying(terms[s].right), beta: 1, into: &part)
                    }
                }
                result += part.storage
            }
        }
        return result
    }

    /// The explicit `B x P` matrix (for dense solves and tests).
    public var dense: Matrix {
        var o = Matrix(rows: rows, columns: columns)
        var offset = 0
        o.storage.withUnsafeMutableBufferPointer { out in
            for block in blocks {
                switch block {
                case .dense(let m):
                    for b in 0..<rows { for q in 0..<m.columns { out[b * columns + offset + q] = m[b, q] } }
                case .outer(let terms):
                    for term in terms {
                        let (nl, nr) = (term.left.columns, term.right.columns)
                        for b in 0..<rows {
                            for j in 0..<nl {
                                let d = term.left.storage[b * nl + j]
                                let row = b * columns + offset + j * nr
                                for i in 0..<nr { out[row + i] += d * term.right.storage[b * nr + i] }
                            }
                        }
                    }
                }
                offset += block.columns
            }
        }
        return o
    }
}

extension Matrix {
    /// Row `b` multiplied by `factors[b]`.
    func scalingRows(by factors: [Double]) -> Matrix {
        precondition(factors.count == rows)
        var m = self
        m.storage.withUnsafeMutableBufferPointer { p in
            for b in 0..<rows { for j in 0..<columns { p[b * columns + j] *= factors[b] } }
        }
        return m
    }

    /// The elementwise (Hadamard) product.
    func multiplying(_ other: Matrix) -> Matrix {
        precondition(other.rows == rows && other.columns == columns)
        var m = self
        for i in m.storage.indices { m.storage[i] *= other.storage[i] }
        return m
    }
}
