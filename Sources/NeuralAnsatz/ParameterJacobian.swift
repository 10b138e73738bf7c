import LinearAlgebra

/// The log-derivatives `O_{b,p} = d log psi(phi_b) / d theta_p` of a batch
/// (`B x P`), kept in the factored form a network produces them in.
///
/// The parameters of a dense layer, `h_j = sum_i W_ji z_i + b_j`, have the
/// derivatives `d f/d W_ji = delta_j z_i` and `d f/d b_j = delta_j` with
/// `delta = df/dh`: per sample an outer product, so the `B x (n_out n_in)` weight
/// block is the row-wise Kronecker (face-splitting) product of `delta`
/// (`B x n_out`) and `z` (`B x n_in`). Storing the factors costs
/// `B (n_out + n_in)` instead of `B n_out (n_in + 1)` numbers, and the products SR
/// needs become one gemm of the factors each, with `z' = [z, 1]` carrying the bias:
///
///     (O v)_b    = sum_j delta_bj (z'_b . V_j),       V = (v_W | v_b), n_out x (n_in + 1),
///     (O^T u)_j. = sum_b u_b delta_bj z'_b          = (delta^T diag(u) z')_j.,
///
/// each `2 B n_out (n_in + 1)` flops at gemm speed, where the stored matrix would
/// be a memory-bound gemv over `B n_out n_in` numbers (72 MB for L = 32, H = 64,
/// B = 4096). This is how NetKet's `QGTOnTheFly` avoids storing `O`, without
/// its per-iteration backward pass.
public struct ParameterJacobian: Sendable {
    /// One horizontal block of columns.
    public enum Block: Sendable {
        /// Columns stored explicitly (`B x n`).
        case dense(Matrix)
        /// A dense layer's weights then biases: column `j n_in + i` of row `b` is
        /// `sum_t left_t[b, j] right_t[b, i]` (the weight matrix, row-major), column
        /// `n_out n_in + j` is `sum_t left_t[b, j]`. A sum of terms serves
        /// symmetrised networks, `f(phi) + f(-phi)`.
        case layer([OuterTerm])

        public var columns: Int {
            switch self {
            case .dense(let m): m.columns
            case .layer(let terms): terms[0].layout.count
            }
        }
    }

    /// One row-wise outer product (`left` is `delta`, `right` the layer's input);
    /// both factors have `B` rows. The input is kept as `[right, 1]`, with the
    /// constant the bias multiplies, so each product is a single gemm.
    public struct OuterTerm: Sendable {
        public let left: Matrix
        /// `[right, 1]`, `B x (n_in + 1)`.
        public let augmentedRight: Matrix

        public init(left: Matrix, right: Matrix) {
            self.init(left: left, augmentedRight: right.appendingColumn(repeating: 1))
        }

        init(left: Matrix, augmentedRight: Matrix) {
            precondition(left.rows == augmentedRight.rows)
            self.left = left
            self.augmentedRight = augmentedRight
        }

        /// The layer's input (`B x n_in`).
        public var right: Matrix {
            let n = augmentedRight.columns - 1
            return Matrix(rows: left.rows, columns: n, storage: (0..<left.rows).flatMap {
                augmentedRight.storage[($0 * (n + 1))..<($0 * (n + 1) + n)]
            })
        }

        /// Input columns `n_in`.
        var inputs: Int { augmentedRight.columns - 1 }

        /// The layer's parameter layout.
        public var layout: DenseLayerLayout { DenseLayerLayout(outputs: left.columns, inputs: inputs) }
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
        case .layer(let terms):
            precondition(!terms.isEmpty && terms.allSatisfy {
                $0.left.rows == rows && $0.left.columns == terms[0].left.columns
                    && $0.augmentedRight.columns == terms[0].augmentedRight.columns
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
    /// of a symmetrised network): dense blocks add, layer blocks collect terms.
    public func adding(_ other: ParameterJacobian) -> ParameterJacobian {
        precondition(other.rows == rows && other.blocks.count == blocks.count)
        var sum = ParameterJacobian(rows: rows)
        for (a, b) in zip(blocks, other.blocks) {
            switch (a, b) {
            case (.dense(let x), .dense(let y)): sum.append(.dense(x + y))
            case (.layer(let x), .layer(let y)): sum.append(.layer(x + y))
            default: preconditionFailure("Jacobian block layouts differ")
            }
        }
        return sum
    }

    /// Row `b` times `weights[b]`: the halves of a superposition weighted by
    /// their shares (`GaussianNetwork`, `NetworkSymmetry.superposition`).
    public func scalingRows(by weights: [Double]) -> ParameterJacobian {
        precondition(weights.count == rows)
        var scaled = ParameterJacobian(rows: rows)
        for block in blocks {
            switch block {
            case .dense(let m): scaled.append(.dense(m.scalingRows(by: weights)))
            case .layer(let terms):
                scaled.append(.layer(terms.map {
                    OuterTerm(left: $0.left.scalingRows(by: weights), augmentedRight: $0.augmentedRight)
                }))
            }
        }
        return scaled
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
            case .layer(let first):
                let terms = parts.map { if case .layer(let t) = $0.blocks[k] { t } else { preconditionFailure() } }
                append(.layer((0..<first.count).map { t in
                    OuterTerm(left: stack(terms.map { $0[t].left }), augmentedRight: stack(terms.map { $0[t].augmentedRight }))
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
            let segment = v[offset..<(offset + block.columns)]
            switch block {
            case .dense(let m): gemv(.none, m, Array(segment), beta: 1, into: &result)
            case .layer(let terms):
                // V = (v_W | v_b), n_out x (n_in + 1); then ([z, 1] V^T)_bj dotted with delta_b.
                let nOut = terms[0].left.columns
                let weights = terms[0].layout.augmented(segment)
                for term in terms {
                    let projected = product(term.augmentedRight, .none, weights, .transpose)
                    term.left.storage.withUnsafeBufferPointer { l in
                        projected.storage.withUnsafeBufferPointer { q in
                            for b in 0..<rows {
                                var s = 0.0
                                for j in 0..<nOut { s += l[b * nOut + j] * q[b * nOut + j] }
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
            case .layer(let terms):
                let (nOut, nIn) = (terms[0].left.columns, terms[0].inputs)
                // delta^T diag(u) [z, 1] = (g_W | g_b), diag(u) applied to the narrower factor.
                var part = Matrix(rows: nOut, columns: nIn + 1)
                for term in terms {
                    if nOut <= nIn {
                        gemm(.transpose, term.left.scalingRows(by: u), .none, term.augmentedRight, beta: 1, into: &part)
                    } else {
                        gemm(.transpose, term.left, .none, term.augmentedRight.scalingRows(by: u), beta: 1, into: &part)
                    }
                }
                result += terms[0].layout.segment(part)
            }
        }
        return result
    }

    /// The sums over rows that a block-diagonal approximation of `O^T O` needs,
    /// one per block (see `gramBlocks(denseLimit:)`).
    public enum GramBlock: Sendable {
        /// `O_k^T O_k` of a dense block.
        case dense(Matrix)
        /// Its diagonal only, for dense blocks wider than the limit.
        case diagonal([Double])
        /// `sum_t left_t^T left_t` and `sum_t z'_t^T z'_t` (`z' = [right, 1]`) of a
        /// layer block: the Kronecker factors of K-FAC (Martens and Grosse, ICML
        /// 2015), `O_k^T O_k ~ (L^T L) (x) (Z'^T Z') / B`.
        case kronecker(left: Matrix, right: Matrix)

        /// Every number of the statistics, in a fixed order (for sums across ranks).
        public var flattened: [Double] {
            switch self {
            case .dense(let m): return m.storage
            case .diagonal(let d): return d
            case .kronecker(let left, let right): return left.storage + right.storage
            }
        }

        /// The same layout holding `values` (as `flattened` orders them).
        public func replacing(_ values: [Double]) -> GramBlock {
            switch self {
            case .dense(let m): return .dense(Matrix(rows: m.rows, columns: m.columns, storage: values))
            case .diagonal: return .diagonal(values)
            case .kronecker(let left, let right):
                let split = left.storage.count
                return .kronecker(
                    left: Matrix(rows: left.rows, columns: left.columns, storage: Array(values[..<split])),
                    right: Matrix(rows: right.rows, columns: right.columns, storage: Array(values[split...])))
            }
        }

        /// Elementwise sum of two statistics of the same block.
        public func adding(_ other: GramBlock) -> GramBlock {
            switch (self, other) {
            case (.dense(let a), .dense(let b)): return .dense(a + b)
            case (.diagonal(let a), .diagonal(let b)): return .diagonal(zip(a, b).map(+))
            case (.kronecker(let a, let b), .kronecker(let c, let d)): return .kronecker(left: a + c, right: b + d)
            default: preconditionFailure("Gram block layouts differ")
            }
        }
    }

    /// Per block: `O_k^T O_k` for dense blocks of at most `denseLimit` columns,
    /// its diagonal for wider ones, the two Kronecker factors for layer blocks.
    public func gramBlocks(denseLimit: Int) -> [GramBlock] {
        blocks.map { block in
            switch block {
            case .dense(let m) where m.columns <= denseLimit:
                return .dense(product(m, .transpose, m, .none))
            case .dense(let m):
                return .diagonal((0..<m.columns).map { q in (0..<rows).reduce(0) { $0 + m[$1, q] * m[$1, q] } })
            case .layer(let terms):
                func gram(_ factor: (OuterTerm) -> Matrix) -> Matrix {
                    let grams = terms.map { product(factor($0), .transpose, factor($0), .none) }
                    return grams.dropFirst().reduce(grams[0], +)
                }
                return .kronecker(left: gram(\.left), right: gram(\.augmentedRight))
            }
        }
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
                case .layer(let terms):
                    for term in terms {
                        let (nOut, nIn, bias) = (term.left.columns, term.inputs, term.layout.biasOffset)
                        for b in 0..<rows {
                            for j in 0..<nOut {
                                let d = term.left.storage[b * nOut + j]
                                let row = b * columns + offset + j * nIn
                                for i in 0..<nIn { out[row + i] += d * term.augmentedRight.storage[b * (nIn + 1) + i] }
                                out[b * columns + offset + bias + j] += d
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

    /// The matrix with one more column, every entry `value`.
    func appendingColumn(repeating value: Double) -> Matrix {
        var m = Matrix(rows: rows, columns: columns + 1)
        for b in 0..<rows {
            for j in 0..<columns { m.storage[b * (columns + 1) + j] = storage[b * columns + j] }
            m.storage[b * (columns + 1) + columns] = value
        }
        return m
    }
}
