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
    public func augmented<C: RandomAccessCollection>(_ segment: C) -> Matrix where C.Element == Double, C.Index == Int {
        precondition(segment.count == count)
        let start = segment.startIndex
        var m = Matrix(rows: outputs, columns: inputs + 1)
        for j in 0..<outputs {
            for i in 0..<inputs { m.storage[j * (inputs + 1) + i] = segment[start + j * inputs + i] }
            m.storage[j * (inputs + 1) + inputs] = segment[start + biasOffset + j]
        }
        return m
    }

    /// The augmented matrix `(W | b)` as the segment (`W` then `b`).
    public func segment(_ augmented: Matrix) -> [Double] {
        precondition(augmented.rows == outputs && augmented.columns == inputs + 1)
        var segment = [Double](repeating: 0, count: count)
        for j in 0..<outputs {
            for i in 0..<inputs { segment[j * inputs + i] = augmented.storage[j * (inputs + 1) + i] }
            segment[biasOffset + j] = augmented.storage[j * (inputs + 1) + inputs]
        }
        return segment
    }

    /// `W` of the segment, `n_out x n_in`.
    public func weights<C: RandomAccessCollection>(_ segment: C) -> Matrix where C.Element == Double, C.Index == Int {
        let start = segment.startIndex
        return Matrix(rows: outputs, columns: inputs, storage: Array(segment[start..<(start + biasOffset)]))
    }
}
