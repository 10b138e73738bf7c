import LinearAlgebra

/// Where a dense layer's parameters lie, `h_j = sum_i W_ji z_i + b_j`: in the
/// flat parameter vector, `W` row-major (`n_out x n_in`) and then `b`; as a
/// matrix, the augmented `n_out x (n_in + 1)` block `(W | b)` that multiplies
/// `z' = [z, 1]`. The network, the factored log-derivatives
/// (`ParameterJacobian`) and the K-FAC preconditioner all go through this one
/// description of the layout.
public struct DenseLayerLayout: Sendable, Equatable {
    /// `n_out`.
    public let outputs: Int
    /// `n_in`.
    public let inputs: Int

    public init(outputs: Int, inputs: Int) {
        self.outputs = outputs
        self.inputs = inputs
    }

    /// Parameters of the layer, `n_out (n_in + 1)`.
    public var count: Int { outputs * (inputs + 1) }
    /// Offset of `b` within the layer's segment (after `W`).
    public var biasOffset: Int { outputs * inputs }

    /// The segment (`W` then `b`) as the augmented matrix `(W | b)`.
    /// (Concrete, not generic over collections: it runs in every CG iteration,
    /// and an unspecialised generic copy across modules costs more than the gemm.)
    public func augmented(_ segment: ArraySlice<Double>) -> Matrix {
        precondition(segment.count == count)
        var m = Matrix(rows: outputs, columns: inputs + 1)
        let (n, w) = (inputs, inputs + 1)
        m.storage.withUnsafeMutableBufferPointer { out in
            segment.withUnsafeBufferPointer { p in
                for j in 0..<outputs {
                    (out.baseAddress! + j * w).update(from: p.baseAddress! + j * n, count: n)
                    out[j * w + n] = p[biasOffset + j]
                }
            }
        }
        return m
    }

    /// The augmented matrix `(W | b)` as the segment (`W` then `b`).
    public func segment(_ augmented: Matrix) -> [Double] {
        precondition(augmented.rows == outputs && augmented.columns == inputs + 1)
        var segment = [Double](repeating: 0, count: count)
        let (n, w) = (inputs, inputs + 1)
        segment.withUnsafeMutableBufferPointer { out in
            augmented.storage.withUnsafeBufferPointer { a in
                for j in 0..<outputs {
                    (out.baseAddress! + j * n).update(from: a.baseAddress! + j * w, count: n)
                    out[biasOffset + j] = a[j * w + n]
                }
            }
        }
        return segment
    }

    /// `W` of the segment, `n_out x n_in`.
    public func weights(_ segment: ArraySlice<Double>) -> Matrix {
        Matrix(rows: outputs, columns: inputs, storage: Array(segment.prefix(biasOffset)))
    }
}
