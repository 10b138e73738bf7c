internal import CActivations
import Foundation
import Lattice
import LinearAlgebra
import Parallelism
import Statistics

/// A real-NVP normalizing flow for lattice fields (Dinh, Sohl-Dickstein and Bengio,
/// arXiv:1605.08803; for lattice phi^4 Albergo, Kanwar and Shanahan,
/// arXiv:1904.12072, and the tutorial arXiv:2101.08176): a prior `r(z) = N(0, 1)`
/// per site pushed through `layers` affine coupling layers with checkerboard masks,
///
///     y = m x + (1 - m) (x exp(s(m x)) + t(m x)),   log |det dy/dx| = sum_x (1 - m_x) s_x,
///
/// where `m` is 1 on the frozen sublattice (parity alternating layer by layer) and
/// `(s, t)` come from a convolutional network with circular padding: convolutions
/// `1 -> hidden[0] -> ... -> 2` channels, LeakyReLU(0.01) between them, tanh on
/// `s` (so one layer rescales by at most e) and none on `t`: a bounded shift
/// (the tutorial's tanh on both) cannot be the linear shift `t = A x_frozen` that
/// maps a Gaussian prior onto a Gaussian target, and it capped the free field's
/// ESS near 0.77. The model density is `q(x) = r(z) / |det dx/dz|`.
///
/// Training minimises the reverse Kullback–Leibler divergence (no data needed)
/// `KL(q || p) = E_q[log q(x) + S(x)] + log Z` by the reparameterisation
/// gradient, with a hand-written backward pass through couplings and
/// convolutions (each convolution a gemm over the batch).
public struct AffineCouplingFlow: FieldFlow {
    public let lattice: Lattice
    public let layers: Int
    public let hidden: [Int]
    public let kernel: Int
    /// The convolutions of one coupling network (the same shapes in every layer).
    let convolutions: [CircularConvolution]
    /// `masks[parity][x]`: 1 on the frozen sites of layers of that parity.
    let masks: [[Double]]
    /// All layers' network parameters, layer after layer, convolution after convolution.
    public var parameters: [Double]

    public static let leak = 0.01

    /// A flow with parameters drawn like PyTorch's default convolution
    /// initialisation (uniform in `+-1/sqrt(fan-in)`), from `random`.
    public init(lattice: Lattice, layers: Int, hidden: [Int], kernel: Int, random: inout RandomSource) {
        precondition(layers >= 1 && !hidden.isEmpty && hidden.allSatisfy { $0 >= 1 })
        self.lattice = lattice
        self.layers = layers
        self.hidden = hidden
        self.kernel = kernel
        let channels = [1] + hidden + [2]
        convolutions = (0..<(channels.count - 1)).map {
            CircularConvolution(lattice: lattice, kernel: kernel, inputs: channels[$0], outputs: channels[$0 + 1])
        }
        masks = (0..<2).map { parity in
            (0..<lattice.volume).map { x in
                Double(((lattice.coordinates(of: x).reduce(0, +) + parity) % 2 == 1) ? 1 : 0)
            }
        }
        var p: [Double] = []
        for _ in 0..<layers {
            for conv in convolutions {
                let bound = 1 / Double(conv.fanIn).squareRoot()
                for _ in 0..<conv.parameterCount { p.append(bound * (2 * random.uniform() - 1)) }
            }
        }
        parameters = p
    }

    var parametersPerLayer: Int { convolutions.reduce(0) { $0 + $1.parameterCount } }

    /// The parameter count of a flow of this architecture in `dimension`
    /// dimensions (on any lattice: the convolutions are local).
    public static func parameterCount(dimension: Int, layers: Int, hidden: [Int], kernel: Int) -> Int {
        let channels = [1] + hidden + [2]
        let taps = (0..<dimension).reduce(1) { r, _ in r * kernel }
        return layers * (0..<(channels.count - 1)).reduce(0) { $0 + channels[$1 + 1] * (taps * channels[$1] + 1) }
    }

    /// What a layer's forward pass keeps for its backward pass (one block of samples).
    struct LayerRecord {
        var input: Matrix
        /// The network's input `m x`, then each hidden convolution's activation.
        var activations: [Matrix]
        var s: [Double]
        var t: [Double]
        /// `exp(s)`.
        var scale: [Double]
    }

    /// The coupling network's `(s, t)` on `frozen` (`(B V) x 1`), keeping activations.
    private func network(_ frozen: Matrix, layer: Int) -> (s: [Double], t: [Double], activations: [Matrix]) {
        var a = frozen
        var activations = [frozen]
        var offset = layer * parametersPerLayer
        for (i, conv) in convolutions.enumerated() {
            let slice = parameters[offset..<(offset + conv.parameterCount)]
            offset += conv.parameterCount
            var u = conv.forward(a, parameters: slice)
            if i < convolutions.count - 1 {
                // LeakyReLU: max(u, 0.01 u), branch-free so the loop vectorises.
                u.storage.withUnsafeMutableBufferPointer { h in
                    for j in h.indices { h[j] = max(h[j], Self.leak * h[j]) }
                }
                activations.append(u)
                a = u
            } else {
                let rows = u.rows
                var s = (0..<rows).map { u.storage[2 * $0] }
                let t = (0..<rows).map { u.storage[2 * $0 + 1] }
                nqft_activation(NQFT_TANH, &s, nil, nil, rows)  // vectorised
                return (s, t, activations)
            }
        }
        fatalError("unreachable: the network ends with its output convolution")
    }

    /// `x = f(z)` for a block of fields (`B x V`) and `log |det df/dz|` per field;
    /// with `keep`, the records for `backward`.
    func forward(_ z: Matrix, keep: Bool) -> (x: Matrix, logDet: [Double], records: [LayerRecord]) {
        let v = lattice.volume, b = z.rows
        var x = Matrix(rows: b * v, columns: 1, storage: z.storage)
        var logDet = [Double](repeating: 0, count: b)
        var records: [LayerRecord] = []
        for layer in 0..<layers {
            let m = masks[layer % 2]
            let frozen = masked(x, m, samples: b)
            let (s, t, activations) = network(frozen, layer: layer)
            var scale = s
            nqft_exponential(&scale, scale.count)
            if keep { records.append(LayerRecord(input: x, activations: activations, s: s, t: t, scale: scale)) }
            for i in 0..<b {
                for site in 0..<v where m[site] == 0 {
                    let r = i * v + site
                    x.storage[r] = x.storage[r] * scale[r] + t[r]
                    logDet[i] += s[r]
                }
            }
        }
        return (Matrix(rows: b, columns: v, storage: x.storage), logDet, records)
    }

    /// `z = f^{-1}(x)` and `log |det df/dz|` at that z (the forward map's), layer by
    /// layer backwards: the frozen sites give the same `(s, t)`, so
    /// `x = (y - t) exp(-s)` on the others.
    public func inverse(_ y: Matrix) -> (z: Matrix, logDet: [Double]) {
        let v = lattice.volume, b = y.rows
        var x = Matrix(rows: b * v, columns: 1, storage: y.storage)
        var logDet = [Double](repeating: 0, count: b)
        for layer in stride(from: layers - 1, through: 0, by: -1) {
            let m = masks[layer % 2]
            let (s, t, _) = network(masked(x, m, samples: b), layer: layer)
            for i in 0..<b {
                for site in 0..<v where m[site] == 0 {
                    let r = i * v + site
                    x.storage[r] = (x.storage[r] - t[r]) * exp(-s[r])
                    logDet[i] += s[r]
                }
            }
        }
        return (Matrix(rows: b, columns: v, storage: x.storage), logDet)
    }

    /// `m x` for every field of `x` (`(B V) x 1`).
    private func masked(_ x: Matrix, _ m: [Double], samples b: Int) -> Matrix {
        var frozen = x
        let v = m.count
        frozen.storage.withUnsafeMutableBufferPointer { f in
            for i in 0..<b { for site in 0..<v { f[i * v + site] *= m[site] } }
        }
        return frozen
    }

    /// `log r(z)` of the prior per field.
    static func logPrior(_ z: Matrix) -> [Double] {
        let v = z.columns, constant = -0.5 * Double(v) * log(2 * Double.pi)
        return (0..<z.rows).map { i in
            var sum = 0.0
            for x in 0..<v { sum += z.storage[i * v + x] * z.storage[i * v + x] }
            return constant - 0.5 * sum
        }
    }

    /// Fields drawn by the flow from prior draws `z` (`B x V`), with their model
    /// log densities `log q(x) = log r(z) - log |det df/dz|`.
    public func sample(_ z: Matrix) -> (x: Matrix, logQ: [Double]) {
        let (x, logDet, _) = forward(z, keep: false)
        let prior = Self.logPrior(z)
        return (x, zip(prior, logDet).map { $0 - $1 })
    }

    /// Rows of the blocks a batch is split into over threads and ranks.
    public static let blockRows = 16

    /// One block: forward with records, then the backward pass from
    /// `dL/dx = grad S / B` and `dL/d logDet = -1/B` down through the layers.
    public func blockLossAndGradient(_ z: Matrix, action: some LatticeAction, batch: Int) -> FlowBatch {
        let v = lattice.volume, b = z.rows
        let (x, logDet, records) = forward(z, keep: true)
        let prior = Self.logPrior(z)
        let logQ = zip(prior, logDet).map { $0 - $1 }
        var logP = [Double](repeating: 0, count: b)
        var g = [Double](repeating: 0, count: b * v)  // dL/dx, sample-major
        x.storage.withUnsafeBufferPointer { fields in
            g.withUnsafeMutableBufferPointer { grad in
                for i in 0..<b {
                    let phi = fields.baseAddress! + i * v
                    logP[i] = -action.action(phi)
                    action.force(phi, into: grad.baseAddress! + i * v)  // -dS/dx
                }
            }
        }
        let inverseBatch = 1 / Double(batch)
        for i in g.indices { g[i] *= -inverseBatch }
        var gradient = [Double](repeating: 0, count: parameters.count)
        for layer in stride(from: layers - 1, through: 0, by: -1) {
            let record = records[layer], m = masks[layer % 2]
            var gOut = Matrix(rows: b * v, columns: 2)
            var gx = g
            gOut.storage.withUnsafeMutableBufferPointer { out in
                for i in 0..<b {
                    for site in 0..<v {
                        let r = i * v + site
                        let free = 1 - m[site]
                        let es = record.scale[r]
                        let gs = free * (g[r] * record.input.storage[r] * es - inverseBatch)
                        out[2 * r] = gs * (1 - record.s[r] * record.s[r])
                        out[2 * r + 1] = free * g[r]
                        gx[r] = g[r] * (m[site] + free * es)
                    }
                }
            }
            // Back through the convolutions, last first.
            var offset = layer * parametersPerLayer + parametersPerLayer
            var upstream = gOut
            for i in stride(from: convolutions.count - 1, through: 0, by: -1) {
                let conv = convolutions[i]
                offset -= conv.parameterCount
                let input = record.activations[i]
                let slice = parameters[offset..<(offset + conv.parameterCount)]
                var down = conv.backward(input, outputGradient: upstream, parameters: slice, gradient: &gradient, at: offset, needInput: true)!
                if i > 0 {
                    // LeakyReLU': the activation has the sign of its pre-activation.
                    input.storage.withUnsafeBufferPointer { a in
                        down.storage.withUnsafeMutableBufferPointer { d in
                            for j in d.indices { d[j] *= a[j] < 0 ? Self.leak : 1 }
                        }
                    }
                }
                upstream = down
            }
            // The network read m x: its input gradient reaches the frozen sites only.
            for i in 0..<b { for site in 0..<v { gx[i * v + site] += m[site] * upstream.storage[i * v + site] } }
            g = gx
        }
        return FlowBatch(loss: 0, logQ: logQ, logP: logP, gradient: gradient)
    }
}
