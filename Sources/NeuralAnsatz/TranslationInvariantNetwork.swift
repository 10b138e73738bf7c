internal import CActivations
import Lattice
import LinearAlgebra

/// A network that is exactly invariant under lattice translations: a periodic
/// convolution followed by a sum over sites,
///
///     f(phi) = sum_x g(P_x phi),    (P_x phi)_o = phi_{x + o},  o in the kernel,
///
/// where the kernel is the box `0 <= o_mu < k_mu` with `k_mu = min(kernelSize, L_mu)`
/// and `g` is a `MultilayerPerceptron` on the `K = prod k_mu` patch values (its
/// first layer is the convolution, deeper layers are 1x1 convolutions). Since
/// `k_mu <= L_mu`, the patch sites are distinct, so
///
///     df/dphi_y = sum_{x,o: x+o=y} dg/dp_o (P_x phi),
///     sum_y d^2 f/dphi_y^2 = sum_x (laplacian of g)(P_x phi),
///
/// and everything is one batched evaluation of `g` on the `B V` patches.
public struct TranslationInvariantNetwork: FieldNetwork, Equatable {
    public let lattice: Lattice
    public let cell: MultilayerPerceptron
    /// `patchSites[x * K + o]` is the site `x + o`.
    private let patchSites: [Int]
    /// `patchContaining[s * K + o]` is the patch `x = s - o`, whose entry `o` is site `s`.
    let patchContaining: [Int]

    public init(lattice: Lattice, kernelSize: Int, hidden: [Int], activation: Activation) {
        precondition(kernelSize >= 1)
        self.lattice = lattice
        let kernel = lattice.extent.map { min(kernelSize, $0) }
        let k = kernel.reduce(1, *)
        cell = MultilayerPerceptron(inputs: k, hidden: hidden, activation: activation)
        let offsets = (0..<k).map { Lattice(extent: kernel).coordinates(of: $0) }
        let patchSites = (0..<lattice.volume).flatMap { x in
            let c = lattice.coordinates(of: x)
            return offsets.map { o in lattice.site(at: zip(c, o).map { $0 + $1 }) }
        }
        self.patchSites = patchSites
        var containing = [Int](repeating: 0, count: patchSites.count)
        for (i, s) in patchSites.enumerated() { containing[s * k + i % k] = i / k }
        patchContaining = containing
    }

    /// Values per patch `K`.
    public var patchSize: Int { cell.inputs }
    public var parameterCount: Int { cell.parameterCount }

    /// The `B V x K` matrix of patches: row `b V + x` is `P_x phi_b`.
    func patches(_ fields: FieldBatch) -> Matrix {
        let v = lattice.volume, k = patchSize
        var p = Matrix(rows: fields.rows * v, columns: k)
        for b in 0..<fields.rows {
            for i in 0..<(v * k) { p.storage[b * v * k + i] = fields.storage[b * v + patchSites[i]] }
        }
        return p
    }

    /// Sums per-patch values over the sites of each field.
    private func sumOverSites(_ values: [Double], samples: Int) -> [Double] {
        let v = lattice.volume
        return (0..<samples).map { b in values[(b * v)..<((b + 1) * v)].reduce(0, +) }
    }

    /// Scatters per-patch input gradients (`B V x K`) onto the field (`B x V`).
    private func scatter(_ patchGradient: Matrix, samples: Int) -> FieldBatch {
        let v = lattice.volume, k = patchSize
        var g = FieldBatch(rows: samples, columns: v)
        for b in 0..<samples {
            for i in 0..<(v * k) { g.storage[b * v + patchSites[i]] += patchGradient.storage[b * v * k + i] }
        }
        return g
    }

    /// What the one-pass kernel computes for a cell with one hidden layer.
    private struct OnePass {
        var value: [Double]
        var gradient: FieldBatch?
        var laplacian: [Double]?
        var jacobian: Matrix?
    }

    /// For a cell with one hidden layer, the value and the requested derivatives
    /// in one cache-resident pass per field (`nqft_patch_network`) instead of
    /// batched passes over the `B V x n_1` patch matrices; nil for deeper cells,
    /// which take the batched `MultilayerPerceptron` path.
    private func onePass(
        _ fields: FieldBatch, parameters p: [Double], gradient: Bool = false, laplacian: Bool = false,
        jacobian: Bool = false
    ) -> OnePass? {
        guard cell.hidden.count == 1 else { return nil }
        precondition(p.count == parameterCount && fields.columns == lattice.volume)
        let b = fields.rows, v = lattice.volume, k = patchSize, h = cell.hidden[0]
        // Outputs not asked for have no storage and reach C as null.
        var value = [Double](repeating: 0, count: b)
        var g = [Double](repeating: 0, count: gradient ? b * v : 0)
        var l = [Double](repeating: 0, count: laplacian ? b : 0)
        var o = [Double](repeating: 0, count: jacobian ? b * parameterCount : 0)
        patchSites.withUnsafeBufferPointer { sites in
            sites.withMemoryRebound(to: Int64.self) { sites in
                value.withUnsafeMutableBufferPointer { value in
                    g.withUnsafeMutableBufferPointer { g in
                        l.withUnsafeMutableBufferPointer { l in
                            o.withUnsafeMutableBufferPointer { o in
                                nqft_patch_network(
                                    cell.activation.kind, Int64(b), Int64(v), Int64(k), Int64(h), fields.storage,
                                    sites.baseAddress, p, value.baseAddress, gradient ? g.baseAddress : nil,
                                    laplacian ? l.baseAddress : nil, jacobian ? o.baseAddress : nil)
                            }
                        }
                    }
                }
            }
        }
        return OnePass(
            value: value, gradient: gradient ? FieldBatch(rows: b, columns: v, storage: g) : nil,
            laplacian: laplacian ? l : nil, jacobian: jacobian ? Matrix(rows: b, columns: parameterCount, storage: o) : nil)
    }

    public func value(_ fields: FieldBatch, parameters: [Double]) -> [Double] {
        if let fused = onePass(fields, parameters: parameters) { return fused.value }
        return sumOverSites(cell.value(patches(fields), parameters: parameters), samples: fields.rows)
    }

    public func valueAndGradient(_ fields: FieldBatch, parameters: [Double]) -> (value: [Double], gradient: FieldBatch) {
        if let fused = onePass(fields, parameters: parameters, gradient: true), let g = fused.gradient {
            return (fused.value, g)
        }
        let r = cell.valueAndGradient(patches(fields), parameters: parameters)
        return (sumOverSites(r.value, samples: fields.rows), scatter(r.gradient, samples: fields.rows))
    }

    /// One pass for both (the optimisation step's): the forward pass and its
    /// activations are shared.
    public func derivativesAndJacobian(
        _ fields: FieldBatch, parameters: [Double]
    ) -> (derivatives: LogPsiDerivatives, jacobian: ParameterJacobian) {
        if let fused = onePass(fields, parameters: parameters, gradient: true, laplacian: true, jacobian: true),
            let g = fused.gradient, let l = fused.laplacian, let o = fused.jacobian
        {
            return (LogPsiDerivatives(value: fused.value, gradient: g, laplacian: l), ParameterJacobian(dense: o))
        }
        return (derivatives(fields, parameters: parameters), parameterJacobian(fields, parameters: parameters))
    }

    public func derivatives(_ fields: FieldBatch, parameters: [Double]) -> LogPsiDerivatives {
        if let fused = onePass(fields, parameters: parameters, gradient: true, laplacian: true),
            let g = fused.gradient, let l = fused.laplacian
        {
            return LogPsiDerivatives(value: fused.value, gradient: g, laplacian: l)
        }
        let d = cell.derivatives(patches(fields), parameters: parameters)
        return LogPsiDerivatives(
            value: sumOverSites(d.value, samples: fields.rows), gradient: scatter(d.gradient, samples: fields.rows),
            laplacian: sumOverSites(d.laplacian, samples: fields.rows))
    }

    /// Stored densely, one row per field: each block of the per-patch Jacobian is
    /// summed over the field's V patches without forming the `B V x P` matrix (169 MB
    /// at B = 1024, V = 128, P = 161). A layer's block sums `delta_x (x) [z_x, 1]`
    /// over `x`: one `(n_out x V)(V x (n_in + 1))` gemm per field; a dense block's
    /// V rows are added. (One hidden layer: the sums come from the one-pass kernel.)
    public func parameterJacobian(_ fields: FieldBatch, parameters: [Double]) -> ParameterJacobian {
        if let fused = onePass(fields, parameters: parameters, jacobian: true), let o = fused.jacobian {
            return ParameterJacobian(dense: o)
        }
        let perPatch = cell.parameterJacobian(patches(fields), parameters: parameters)
        let v = lattice.volume, p = parameterCount, samples = fields.rows
        var summed = Matrix(rows: samples, columns: p)
        var offset = 0
        for block in perPatch.blocks {
            switch block {
            case .dense(let m):
                let n = m.columns
                summed.storage.withUnsafeMutableBufferPointer { out in
                    m.storage.withUnsafeBufferPointer { rows in
                        for b in 0..<samples {
                            let target = out.baseAddress! + b * p + offset
                            for x in 0..<v {
                                let row = rows.baseAddress! + (b * v + x) * n
                                for c in 0..<n { target[c] += row[c] }
                            }
                        }
                    }
                }
            case .layer(let terms):
                let layout = terms[0].layout
                for b in 0..<samples {
                    var part = Matrix(rows: layout.outputs, columns: layout.inputs + 1)
                    for term in terms {
                        let range = (b * v)..<((b + 1) * v)
                        gemm(.transpose, term.left.rows(range), .none, term.augmentedRight.rows(range), beta: 1, into: &part)
                    }
                    summed.storage.replaceSubrange((b * p + offset)..<(b * p + offset + layout.count), with: layout.segment(part))
                }
            }
            offset += block.columns
        }
        return ParameterJacobian(dense: summed)
    }
}
