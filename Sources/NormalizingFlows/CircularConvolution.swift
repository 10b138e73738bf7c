internal import CActivations
import Lattice
import LinearAlgebra

/// A convolution on a periodic lattice (circular padding): for every site x and
/// output channel o,
///
///     y[x, o] = b[o] + sum_{j, c} W[o, (j, c)] a[x + offset_j, c],
///
/// with the `k^D` offsets of a cube of side `k` (odd) centred on x, wrapped
/// periodically. A batch of B fields is a `(B V) x C` matrix (sample, then site;
/// channels fastest).
///
/// The loops are direct (C, compiled per instruction set), over taps and then
/// channels with the output channels innermost and contiguous: with the few
/// channels of a flow's coupling network (1 to 8) a gemm of the im2col matrix
/// spent more time building that matrix than multiplying (BENCHMARKS.md).
public struct CircularConvolution: Sendable, Equatable {
    public let inputs: Int
    public let outputs: Int
    /// `taps[x * T + j]` is the site `x + offset_j`.
    public let taps: [Int64]
    public let tapCount: Int
    public let sites: Int

    public init(lattice: Lattice, kernel: Int, inputs: Int, outputs: Int) {
        precondition(kernel % 2 == 1 && kernel >= 1, "the kernel size is odd")
        self.inputs = inputs
        self.outputs = outputs
        sites = lattice.volume
        let half = kernel / 2, d = lattice.dimension
        var offsets: [[Int]] = [[]]
        for _ in 0..<d { offsets = offsets.flatMap { o in (-half...half).map { o + [$0] } } }
        tapCount = offsets.count
        var taps = [Int64](repeating: 0, count: sites * offsets.count)
        for x in 0..<sites {
            let c = lattice.coordinates(of: x)
            for (j, o) in offsets.enumerated() { taps[x * offsets.count + j] = Int64(lattice.site(at: zip(c, o).map { $0 + $1 })) }
        }
        self.taps = taps
    }

    /// Parameters: `W` (`outputs x (T inputs)`, row-major) then `b`.
    public var parameterCount: Int { outputs * tapCount * inputs + outputs }
    var fanIn: Int { tapCount * inputs }

    /// `W^T`: `(T inputs) x outputs`, so the output channel runs fastest.
    private func transposedWeights(_ p: ArraySlice<Double>) -> [Double] {
        let k = fanIn, o = outputs
        var wt = [Double](repeating: 0, count: k * o)
        let start = p.startIndex
        for row in 0..<o { for col in 0..<k { wt[col * o + row] = p[start + row * k + col] } }
        return wt
    }

    /// `y = conv(a)`, `(B V) x outputs`.
    public func forward(_ a: Matrix, parameters p: ArraySlice<Double>) -> Matrix {
        let wt = transposedWeights(p)
        let w = Array(p.prefix(outputs * fanIn))
        let bias = Array(p.suffix(outputs))
        var y = Matrix(rows: a.rows, columns: outputs)
        a.storage.withUnsafeBufferPointer { src in
            y.storage.withUnsafeMutableBufferPointer { dst in
                nqft_convolution_forward(
                    src.baseAddress, w, wt, bias, taps, Int64(a.rows), Int64(sites), Int64(tapCount), Int64(inputs), Int64(outputs),
                    dst.baseAddress)
            }
        }
        return y
    }

    /// The backward pass: adds `dL/dW` and `dL/db` into `gradient` (this layer's
    /// slice, same layout as the parameters) and returns `dL/da` when `needInput`.
    public func backward(
        _ a: Matrix, outputGradient dy: Matrix, parameters p: ArraySlice<Double>, gradient: inout [Double], at offset: Int,
        needInput: Bool
    ) -> Matrix? {
        let o = outputs, c = inputs, t = tapCount
        // w2[(j o + k) c + i] = W[k, (j, i)]: the input channel runs fastest for dL/da.
        var w2 = [Double](repeating: 0, count: o * fanIn)
        let start = p.startIndex
        for k in 0..<o { for j in 0..<t { for i in 0..<c { w2[(j * o + k) * c + i] = p[start + k * fanIn + j * c + i] } } }
        var dwt = [Double](repeating: 0, count: fanIn * o)
        var dw = [Double](repeating: 0, count: fanIn * o)
        var bias = [Double](repeating: 0, count: o)
        var da = Matrix(rows: needInput ? a.rows : 0, columns: inputs)
        let original = a.storage.withUnsafeBufferPointer { src in
            dy.storage.withUnsafeBufferPointer { g in
                da.storage.withUnsafeMutableBufferPointer { dst in
                    nqft_convolution_backward(
                        src.baseAddress, g.baseAddress, w2, taps, Int64(a.rows), Int64(sites), Int64(tapCount), Int64(inputs),
                        Int64(o), &dwt, &dw, &bias, needInput ? dst.baseAddress : nil)
                }
            }
        }
        let k = fanIn
        for row in 0..<o {
            for col in 0..<k { gradient[offset + row * k + col] += original == 1 ? dw[row * k + col] : dwt[col * o + row] }
            gradient[offset + o * k + row] += bias[row]
        }
        return needInput ? da : nil
    }
}
