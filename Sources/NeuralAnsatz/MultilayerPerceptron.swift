internal import CActivations
import Foundation
import Lattice
import LinearAlgebra
import Statistics

/// A fully connected network `f: R^V -> R`,
///
///     z_0 = phi,  z_l = sigma(W_l z_{l-1} + b_l)  (l = 1..L),  f = w . z_L,
///
/// evaluated on a batch with BLAS gemm, with everything the local energy and
/// the optimiser need: the value, the input gradient (backpropagation), the
/// exact input Laplacian and the per-sample parameter gradient.
///
/// The Laplacian `sum_x d^2 f/d phi_x^2` is propagated forward with the
/// Jacobians `J_l = d z_l / d phi` (`n_l x V` per sample) and the Laplacians
/// `lap_l = sum_x d^2 z_l / d phi_x^2`: with `h = W z + b`,
///
///     J_h = W J_z,  lap_h = W lap_z,
///     J_z' = sigma'(h) J_h,  lap_z' = sigma''(h) sum_x (J_h)_{.x}^2 + sigma'(h) lap_h,
///
/// starting from `J_h = W_1`, `lap_h = 0` (the first layer's Jacobian is the
/// same for every sample). This costs O(n_l n_{l-1} V) per sample and layer,
/// linear in V, never a V x V Hessian.
///
/// Parameters, flattened: for each layer `W_l` (row-major, `n_l x n_{l-1}`) then
/// `b_l`, then the output weights `w`. An output bias would only shift `log psi`
/// by a constant, so there is none.
public struct MultilayerPerceptron: FieldNetwork, Equatable {
    public let inputs: Int
    public let hidden: [Int]
    public let activation: Activation
    private let offsets: Offsets

    /// Widths `n_0 = V, n_1, ..., n_L`.
    var widths: [Int] { [inputs] + hidden }

    public init(inputs: Int, hidden: [Int], activation: Activation) {
        precondition(inputs >= 1 && !hidden.isEmpty && hidden.allSatisfy { $0 >= 1 })
        self.inputs = inputs
        self.hidden = hidden
        self.activation = activation
        var offsets = Offsets()
        let widths = [inputs] + hidden
        for l in 1..<widths.count {
            let layer = DenseLayerLayout(outputs: widths[l], inputs: widths[l - 1])
            offsets.weights.append(offsets.output)
            offsets.biases.append(offsets.output + layer.biasOffset)
            offsets.output += layer.count
        }
        self.offsets = offsets
    }

    /// The parameter layout of hidden layer `l` (1..L).
    func layer(_ l: Int) -> DenseLayerLayout { DenseLayerLayout(outputs: widths[l], inputs: widths[l - 1]) }

    /// Number of parameters.
    public var parameterCount: Int {
        (1..<widths.count).reduce(0) { $0 + layer($1).count } + hidden[hidden.count - 1]
    }

    /// LeCun-normal hidden weights (`N(0, 1/n_{l-1})`), zero biases, and output
    /// weights `N(0, outputScale^2 / n_L)`: a small output scale starts the
    /// network as a small correction.
    public func initialParameters(random: inout RandomSource, outputScale: Double) -> [Double] {
        var p: [Double] = []
        p.reserveCapacity(parameterCount)
        for l in 1..<widths.count {
            let scale = 1 / Double(widths[l - 1]).squareRoot()
            for _ in 0..<layer(l).biasOffset { p.append(scale * random.normal()) }
            p.append(contentsOf: repeatElement(0, count: widths[l]))
        }
        let last = Double(hidden[hidden.count - 1])
        for _ in 0..<hidden[hidden.count - 1] { p.append(outputScale / last.squareRoot() * random.normal()) }
        return p
    }

    /// Offsets of `W_l` and `b_l` (l = 1..L) and of `w` in the flat parameters.
    private func layout() -> (weights: [Int], biases: [Int], output: Int) {
        (offsets.weights, offsets.biases, offsets.output)
    }

    /// `layout()`'s offsets, computed once: a single-site proposal asks for them
    /// (building the arrays there was 5% of a 12x12 step).
    private struct Offsets: Equatable, Sendable {
        var weights: [Int] = []
        var biases: [Int] = []
        var output = 0
    }

    private func weightMatrix(_ p: [Double], layer l: Int, offset: Int) -> Matrix {
        layer(l).weights(p[offset..<(offset + layer(l).count)])
    }

    /// Forward pass: pre-activations `h_l` and activations with their derivatives, per layer (`B x n_l`).
    private struct Forward {
        var activations: [Matrix]  // z_0 ... z_L
        var first: [Matrix]  // sigma'(h_l), l = 1..L
        var second: [Matrix]  // sigma''(h_l), l = 1..L
        var value: [Double]
    }

    /// `h_l = z_{l-1} W_l^T + 1 b_l^T` (`B x n_l`): the bias rows first, then gemm with beta = 1.
    private func preactivation(_ z: Matrix, layer l: Int, _ p: [Double]) -> Matrix {
        let (weights, biases, _) = layout()
        let n = widths[l], b0 = biases[l - 1]
        var h = Matrix(rows: z.rows, columns: n)
        h.storage.withUnsafeMutableBufferPointer { hp in
            p.withUnsafeBufferPointer { pp in
                for b in 0..<z.rows { (hp.baseAddress! + b * n).update(from: pp.baseAddress! + b0, count: n) }
            }
        }
        gemm(.none, z, .transpose, weightMatrix(p, layer: l, offset: weights[l - 1]), beta: 1, into: &h)
        return h
    }

    private func forward(_ x: FieldBatch, _ p: [Double], derivatives: Bool = true) -> Forward {
        forward(input: x, firstPreactivation: preactivation(x, layer: 1, p), p, derivatives: derivatives)
    }

    /// The forward pass from the first layer's pre-activations `h1` on. With
    /// `derivatives: false` (the value alone, as sampling needs it) the
    /// activations' derivatives are neither computed nor stored.
    private func forward(input x: FieldBatch, firstPreactivation h1: Matrix, _ p: [Double], derivatives: Bool) -> Forward {
        var z = [x], d1: [Matrix] = [], d2: [Matrix] = []
        for l in 1..<widths.count {
            var h = l == 1 ? h1 : preactivation(z[l - 1], layer: l, p)
            if derivatives {
                // Written in full by the activation: no copy of h needed.
                var s1 = Matrix(rows: h.rows, columns: h.columns), s2 = s1
                h.storage.withUnsafeMutableBufferPointer { hp in
                    s1.storage.withUnsafeMutableBufferPointer { p1 in
                        s2.storage.withUnsafeMutableBufferPointer { activation.apply(to: hp, first: p1, second: $0) }
                    }
                }
                d1.append(s1)
                d2.append(s2)
            } else {
                h.storage.withUnsafeMutableBufferPointer { activation.apply(to: $0, first: nil, second: nil) }
            }
            z.append(h)
        }
        var value = [Double](repeating: 0, count: h1.rows)
        let output = layout().output
        gemv(.none, z[z.count - 1], Array(p[output..<(output + hidden[hidden.count - 1])]), into: &value)
        return Forward(activations: z, first: d1, second: d2, value: value)
    }

    public func value(_ x: FieldBatch, parameters p: [Double]) -> [Double] {
        forward(x, p, derivatives: false).value
    }

    /// The first layer's pre-activations `h_1 = W_1 phi + b_1` of each field (`B x n_1`).
    /// A change of one site moves them along one column of `W_1` (`firstLayerColumn`),
    /// which is what single-site proposals exploit.
    public func firstPreactivation(_ x: FieldBatch, parameters p: [Double]) -> Matrix {
        preactivation(x, layer: 1, p)
    }

    /// `W_1[:, site]`, the change of `h_1` per unit change of `phi_site`.
    public func firstLayerColumn(site: Int, parameters p: [Double]) -> [Double] {
        let offset = layout().weights[0]
        return (0..<widths[1]).map { p[offset + $0 * inputs + site] }
    }

    /// For a network with one hidden layer, a translation-invariant network's
    /// single-site proposal in one C pass (`nqft_site_change`, the hot path of
    /// single-site sampling, into buffers the caller keeps): for each field `c`
    /// and patch entry `o`, the row `c V + patches[o]` of `rows` moved by
    /// `deltas[c] columns[o]` (`columns` holds the `k` columns of `W_1` one after
    /// another), its value `w . sigma(row)` into `proposal.values` and its index
    /// into `proposal.rows`, the deltas into `proposal.deltas`, and the values'
    /// changes against `values` added to `change[c]`, entry after entry; `k n_1`
    /// doubles of `scratch`. The fields with `skipping[c]` get their rows and
    /// deltas only. With a non-empty `proposal.slopes` (tanh only), `1 - tanh^2`
    /// of each field's moved rows into it (`k n_1` floats per field). False, and
    /// nothing written, for deeper networks.
    func shiftedValues(
        rows: Matrix, values: [Double], patches: UnsafeBufferPointer<Int>, volume v: Int, columns: [Double],
        deltas: [Double], parameters p: [Double], skipping: [Bool]?,
        proposal: inout (rows: [Int], values: [Double], deltas: [Double], slopes: [Float]),
        change: inout [Double], scratch: inout [Double]
    ) -> Bool {
        guard hidden.count == 1 else { return false }
        let n = hidden[0], k = patches.count, count = deltas.count * k
        precondition(rows.columns == n && columns.count == k * n && rows.rows >= deltas.count * v)
        precondition(proposal.rows.count == count && proposal.values.count == count && scratch.count == k * n)
        precondition(proposal.deltas.count == deltas.count && change.count == deltas.count)
        precondition(proposal.slopes.isEmpty || (proposal.slopes.count == count * n && activation == .tanh))
        precondition(skipping.map { $0.count == deltas.count } ?? true)
        let output = layout().output
        let skip = skipping ?? []
        p.withUnsafeBufferPointer { parameters in
            patches.withMemoryRebound(to: Int64.self) { patches in
                skip.withUnsafeBufferPointer { skip in
                    skip.withMemoryRebound(to: UInt8.self) { skip in  // a Bool is one byte, 0 or 1
                        proposal.rows.withUnsafeMutableBufferPointer { indices in
                            indices.withMemoryRebound(to: Int64.self) { indices in
                                proposal.values.withUnsafeMutableBufferPointer { out in
                                    proposal.deltas.withUnsafeMutableBufferPointer { kept in
                                        proposal.slopes.withUnsafeMutableBufferPointer { slopes in
                                            change.withUnsafeMutableBufferPointer { change in
                                                scratch.withUnsafeMutableBufferPointer { scratch in
                                                    nqft_site_change(
                                                        activation.kind, Int64(deltas.count), Int64(k), Int64(n),
                                                        Int64(v), rows.storage, values, patches.baseAddress, columns,
                                                        deltas, parameters.baseAddress! + output,
                                                        skipping == nil ? nil : skip.baseAddress, indices.baseAddress,
                                                        out.baseAddress, kept.baseAddress,
                                                        slopes.isEmpty ? nil : slopes.baseAddress, change.baseAddress,
                                                        scratch.baseAddress)
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return true
    }

    /// Where the output weights `w` lie in the flat parameters.
    var outputWeights: Range<Int> {
        let output = layout().output
        return output..<(output + hidden[hidden.count - 1])
    }

    /// `f` from the first layer's pre-activations (the rest of the forward pass).
    public func value(firstPreactivation h1: Matrix, parameters p: [Double]) -> [Double] {
        forward(input: FieldBatch(rows: h1.rows, columns: 0), firstPreactivation: h1, p, derivatives: false).value
    }

    /// Backpropagated `df/dh_l` for every layer (`B x n_l`), l = 1..L.
    private func backward(_ f: Forward, _ p: [Double]) -> [Matrix] {
        let (weights, _, output) = layout()
        let last = widths.count - 1
        var deltas = [Matrix](repeating: Matrix(rows: 0, columns: 0), count: last)
        // df/dz_L = w for every sample.
        let width = widths[last]
        var dz = Matrix(rows: f.value.count, columns: width)
        dz.storage.withUnsafeMutableBufferPointer { d in
            p.withUnsafeBufferPointer { w in
                for b in 0..<f.value.count { (d.baseAddress! + b * width).update(from: w.baseAddress! + output, count: width) }
            }
        }
        for l in stride(from: last, through: 1, by: -1) {
            var dh = dz
            dh.storage.withUnsafeMutableBufferPointer { d in
                f.first[l - 1].storage.withUnsafeBufferPointer { s in
                    for i in 0..<d.count { d[i] *= s[i] }
                }
            }
            deltas[l - 1] = dh
            if l > 1 {
                dz = Matrix(rows: dh.rows, columns: widths[l - 1])
                gemm(.none, dh, .none, weightMatrix(p, layer: l, offset: weights[l - 1]), into: &dz)
            }
        }
        return deltas
    }

    /// `f` and `df/dphi` (`B x V`) for each field: one forward and one backward pass.
    public func valueAndGradient(_ x: FieldBatch, parameters p: [Double]) -> (value: [Double], gradient: FieldBatch) {
        let f = forward(x, p)
        let deltas = backward(f, p)
        var gradient = FieldBatch(rows: x.rows, columns: inputs)
        gemm(.none, deltas[0], .none, weightMatrix(p, layer: 1, offset: layout().weights[0]), into: &gradient)
        return (f.value, gradient)
    }

    /// `f`, `df/dphi` (`B x V`) and `sum_x d^2 f/dphi_x^2` for each field.
    public func derivatives(_ x: FieldBatch, parameters p: [Double]) -> LogPsiDerivatives {
        let (weights, _, output) = layout()
        let f = forward(x, p)
        let deltas = backward(f, p)
        var gradient = FieldBatch(rows: x.rows, columns: inputs)
        gemm(.none, deltas[0], .none, weightMatrix(p, layer: 1, offset: weights[0]), into: &gradient)
        return LogPsiDerivatives(
            value: f.value, gradient: gradient, laplacian: laplacian(f, p, weights: weights, output: output))
    }

    /// Forward-mode Laplacian (see the type's documentation). Jacobians are
    /// stored unit-major, `J[j][b][x]`, so `W J` for the whole batch is one gemm
    /// of `W` (`n_l x n_{l-1}`) with an `n_{l-1} x (B V)` matrix.
    private func laplacian(_ f: Forward, _ p: [Double], weights: [Int], output: Int) -> [Double] {
        let batch = f.value.count, v = inputs
        let w1 = weightMatrix(p, layer: 1, offset: weights[0])
        // Layer 1: lap_h = 0, sum_x (J_h)_{jx}^2 = |W_1[j, :]|^2.
        var rowNorm = [Double](repeating: 0, count: widths[1])
        for j in 0..<widths[1] { for x in 0..<v { rowNorm[j] += w1[j, x] * w1[j, x] } }
        var lap = Matrix(rows: batch, columns: widths[1])
        let n1 = widths[1]
        lap.storage.withUnsafeMutableBufferPointer { out in
            f.second[0].storage.withUnsafeBufferPointer { s in
                rowNorm.withUnsafeBufferPointer { norm in
                    for b in 0..<batch { for j in 0..<n1 { out[b * n1 + j] = s[b * n1 + j] * norm[j] } }
                }
            }
        }
        var jacobian = Matrix(rows: 0, columns: 0)
        for l in 2..<widths.count {
            if l == 2 {
                // J_z1[j][b][x] = sigma'(h_1)[b, j] W_1[j, x].
                jacobian = Matrix(rows: widths[1], columns: batch * v)
                for j in 0..<widths[1] {
                    for b in 0..<batch {
                        let s = f.first[0][b, j]
                        for x in 0..<v { jacobian[j, b * v + x] = s * w1[j, x] }
                    }
                }
            }
            let w = weightMatrix(p, layer: l, offset: weights[l - 1])
            var jh = Matrix(rows: widths[l], columns: batch * v)
            gemm(.none, w, .none, jacobian, into: &jh)
            var laph = Matrix(rows: batch, columns: widths[l])
            gemm(.none, lap, .transpose, w, into: &laph)
            var next = Matrix(rows: batch, columns: widths[l])
            jh.storage.withUnsafeMutableBufferPointer { jp in
                for j in 0..<widths[l] {
                    for b in 0..<batch {
                        let row = jp.baseAddress! + j * batch * v + b * v
                        var norm = 0.0
                        for x in 0..<v { norm += row[x] * row[x] }
                        let s1 = f.first[l - 1][b, j], s2 = f.second[l - 1][b, j]
                        next[b, j] = s2 * norm + s1 * laph[b, j]
                        for x in 0..<v { row[x] *= s1 }  // J_z = sigma'(h) J_h
                    }
                }
            }
            lap = next
            jacobian = jh
        }
        var result = [Double](repeating: 0, count: batch)
        gemv(.none, lap, Array(p[output..<(output + hidden[hidden.count - 1])]), into: &result)
        return result
    }

    /// `O_{b,q} = df(phi_b)/d theta_q` in factored form: for each layer
    /// `dW_l[j, i] = delta_l[j] z_{l-1}[i]` and `db_l = delta_l` (a layer block),
    /// then `df/dw = z_L` (the layout of the flat parameters).
    public func parameterJacobian(_ x: FieldBatch, parameters p: [Double]) -> ParameterJacobian {
        let f = forward(x, p)
        let deltas = backward(f, p)
        var o = ParameterJacobian(rows: x.rows)
        for l in 1..<widths.count {
            o.append(.layer([ParameterJacobian.OuterTerm(left: deltas[l - 1], right: f.activations[l - 1])]))
        }
        o.append(.dense(f.activations[widths.count - 1]))
        return o
    }
}
