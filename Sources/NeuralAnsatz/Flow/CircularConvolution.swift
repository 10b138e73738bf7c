import Lattice
import LinearAlgebra

/// A convolution on a periodic lattice (circular padding): for every site x and
/// output channel o,
///
///     y[x, o] = b[o] + sum_{c, j} W[o, (j, c)] a[x + offset_j, c],
///
/// with the `k^D` offsets of a cube of side `k` (odd) centred on x, wrapped
/// periodically. A batch of B fields is a `(B V) x C` matrix (sample, then site;
/// channels fastest), so the layer is one gemm of the im2col matrix
/// `X[(b, x), (j, c)] = a[(b, x + offset_j), c]` with `W^T` (forward), and two for
/// the backward pass (`dW = dY^T X`, `dX = dY W`, then `dX` scattered back).
public struct CircularConvolution: Sendable, Equatable {
    public let inputs: Int
    public let outputs: Int
    /// `taps[x * T + j]` is the site `x + offset_j`.
    public let taps: [Int]
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
        var taps = [Int](repeating: 0, count: sites * offsets.count)
        for x in 0..<sites {
            let c = lattice.coordinates(of: x)
            for (j, o) in offsets.enumerated() { taps[x * offsets.count + j] = lattice.site(at: zip(c, o).map { $0 + $1 }) }
        }
        self.taps = taps
    }

    /// Parameters: `W` (`outputs x (T inputs)`, row-major) then `b`.
    public var parameterCount: Int { outputs * tapCount * inputs + outputs }
    var fanIn: Int { tapCount * inputs }

    /// The im2col matrix of `a` (`(B V) x inputs`).
    func columns(_ a: Matrix) -> Matrix {
        let rows = a.rows, t = tapCount, c = inputs, v = sites
        var x = Matrix(rows: rows, columns: t * c)
        a.storage.withUnsafeBufferPointer { src in
            x.storage.withUnsafeMutableBufferPointer { dst in
                taps.withUnsafeBufferPointer { tap in
                    for r in 0..<rows {
                        let base = (r / v) * v, site = r % v
                        let out = dst.baseAddress! + r * t * c
                        for j in 0..<t {
                            let from = src.baseAddress! + (base + tap[site * t + j]) * c
                            for k in 0..<c { out[j * c + k] = from[k] }
                        }
                    }
                }
            }
        }
        return x
    }

    /// `y = conv(a)`, `(B V) x outputs`.
    public func forward(_ a: Matrix, parameters p: ArraySlice<Double>) -> Matrix {
        let weights = Matrix(rows: outputs, columns: fanIn, storage: Array(p.prefix(outputs * fanIn)))
        var y = Matrix(rows: a.rows, columns: outputs)
        let bias = Array(p.suffix(outputs))
        for r in 0..<a.rows { for o in 0..<outputs { y.storage[r * outputs + o] = bias[o] } }
        gemm(.none, columns(a), .transpose, weights, beta: 1, into: &y)
        return y
    }

    /// The backward pass: adds `dL/dW` and `dL/db` into `gradient` (this layer's
    /// slice, same layout as the parameters) and returns `dL/da` when `needInput`.
    public func backward(
        _ a: Matrix, outputGradient dy: Matrix, parameters p: ArraySlice<Double>, gradient: inout [Double], at offset: Int,
        needInput: Bool
    ) -> Matrix? {
        let weights = Matrix(rows: outputs, columns: fanIn, storage: Array(p.prefix(outputs * fanIn)))
        let x = columns(a)
        var dw = Matrix(rows: outputs, columns: fanIn)
        gemm(.transpose, dy, .none, x, into: &dw)
        for i in 0..<dw.storage.count { gradient[offset + i] += dw.storage[i] }
        for r in 0..<dy.rows { for o in 0..<outputs { gradient[offset + outputs * fanIn + o] += dy.storage[r * outputs + o] } }
        guard needInput else { return nil }
        var dx = Matrix(rows: dy.rows, columns: fanIn)
        gemm(.none, dy, .none, weights, into: &dx)
        // col2im: scatter each tap's gradient back to the site it read.
        var da = Matrix(rows: a.rows, columns: inputs)
        let t = tapCount, c = inputs, v = sites
        dx.storage.withUnsafeBufferPointer { src in
            da.storage.withUnsafeMutableBufferPointer { dst in
                taps.withUnsafeBufferPointer { tap in
                    for r in 0..<dy.rows {
                        let base = (r / v) * v, site = r % v
                        let from = src.baseAddress! + r * t * c
                        for j in 0..<t {
                            let to = dst.baseAddress! + (base + tap[site * t + j]) * c
                            for k in 0..<c { to[k] += from[j * c + k] }
                        }
                    }
                }
            }
        }
        return da
    }
}
