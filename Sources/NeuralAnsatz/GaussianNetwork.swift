import Foundation
import Lattice
import LinearAlgebra

/// How a network is made symmetric under `phi -> -phi` (the Z2 symmetry of
/// phi^4, which the ground state of a finite lattice always has).
public enum NetworkSymmetry: Sendable, Equatable {
    /// `f(phi)` as it is.
    case none
    /// `f(phi) + f(-phi)`: `log psi` even, each factor of the product even (the
    /// symmetric phase).
    case even
    /// `psi = exp(F(phi)) + exp(F(-phi))` with `F = b M + f` (`M = sum_x phi_x`):
    /// a superposition of a state and its mirror image, each free to sit in one
    /// well (the double well and the broken phase, where the ground state is a
    /// cat state that no product of even local factors represents well). One
    /// parameter more, the shift `b`, which moves the even base's centre to
    /// `v = b/a_0` in every site.
    case superposition
}

/// A base wavefunction (the Gaussian, or the Gaussian with a quartic tail)
/// times the exponential of a network, made symmetric by `symmetry`:
///
///     none:           log psi = log psi_base + f(phi)
///     even:           log psi = log psi_base + f(phi) + f(-phi)
///     superposition:  log psi = log psi_base + log(e^u + e^w),  u = b M + f(phi),  w = -b M + f(-phi),
///
/// with `f` a `FieldNetwork` (`MultilayerPerceptron`: kind gaussian-mlp;
/// `TranslationInvariantNetwork`: kind symmetric) and the base even. For the
/// superposition, with `p = 1/(1 + e^{w - u})` the share of the first state,
///
///     d log psi/d phi     = d log psi_base/d phi + p du/dphi + (1 - p) dw/dphi,
///     laplacian           = base + p lap(u) + (1 - p) lap(w) + p (1 - p) |du/dphi - dw/dphi|^2,
///     d log psi/d theta   = p du/dtheta + (1 - p) dw/dtheta,
///
/// and `du/dphi = b + f'(phi)`, `dw/dphi = -b - f'(-phi)`, `du/db = M = -dw/db`.
/// Parameters: the base's, then the network's, then (superposition) `b`.
///
/// Batches are processed in chunks of `chunkSize` fields, bounding the memory of
/// the forward-mode Jacobians (`n_1 x chunk x V` doubles).
public struct GaussianNetwork<Base: WavefunctionModel, Network: FieldNetwork>: WavefunctionModel {
    public var base: Base
    public let network: Network
    public let symmetry: NetworkSymmetry
    public var networkParameters: [Double]
    /// `b` of the superposition (0 otherwise, and not a parameter).
    public var shift = 0.0
    public var chunkSize = 256

    public init(base: Base, network: Network, networkParameters: [Double], symmetry: NetworkSymmetry) {
        precondition(networkParameters.count == network.parameterCount)
        self.base = base
        self.network = network
        self.networkParameters = networkParameters
        self.symmetry = symmetry
    }

    public var lattice: Lattice { base.lattice }

    public var parameters: [Double] {
        get { base.parameters + networkParameters + (symmetry == .superposition ? [shift] : []) }
        set {
            let g = base.parameterCount, n = network.parameterCount
            base.parameters = Array(newValue[..<g])
            networkParameters = Array(newValue[g..<(g + n)])
            if symmetry == .superposition { shift = newValue[g + n] }
        }
    }

    /// The signs of the network's arguments: `phi`, and `-phi` when symmetric.
    var signs: [Double] { symmetry == .none ? [1] : [1, -1] }

    /// One chunk's network terms with what they came with (the parameter Jacobian, when asked for).
    private typealias Term = (derivatives: LogPsiDerivatives, jacobian: ParameterJacobian?)

    /// The network's terms on one chunk: `f(phi)` and, when symmetric, `f(-phi)`
    /// with its gradient's sign turned back to `phi` (its parameter derivatives
    /// are those at `-phi` as they are); for the superposition the shift is
    /// added, making them `u` and `w`.
    private func terms(_ chunk: FieldBatch, _ evaluate: (FieldBatch) -> Term) -> [Term] {
        var parts = [evaluate(chunk)]
        guard symmetry != .none else { return parts }
        var mirrored = evaluate(negated(chunk))
        for i in mirrored.derivatives.gradient.storage.indices {
            mirrored.derivatives.gradient.storage[i] = -mirrored.derivatives.gradient.storage[i]
        }
        parts.append(mirrored)
        if symmetry == .superposition {
            let m = Self.fieldSums(chunk)
            for (k, sign) in [1.0, -1.0].enumerated() {
                for b in 0..<chunk.rows {
                    parts[k].derivatives.value[b] += sign * shift * m[b]
                    for x in 0..<chunk.columns { parts[k].derivatives.gradient[b, x] += sign * shift }
                }
            }
        }
        return parts
    }

    /// The network's block of one chunk's Jacobian from its parts at `phi` and
    /// `-phi`: as it is (none), summed (even), or weighted by the shares `p`
    /// (superposition), whose shift column `(2p - 1) M` goes to `shiftColumn`.
    private func combined(
        _ parts: [ParameterJacobian], shares p: [Double], sums m: [Double], shiftColumn: inout [Double]
    ) -> ParameterJacobian {
        switch symmetry {
        case .none: return parts[0]
        case .even: return parts[0].adding(parts[1])
        case .superposition:
            shiftColumn += zip(p, m).map { (2 * $0 - 1) * $1 }
            return parts[0].scalingRows(by: p).adding(parts[1].scalingRows(by: p.map { 1 - $0 }))
        }
    }

    /// Appends the network's chunks (and the superposition's shift column) to the base's Jacobian.
    private func appending(_ chunks: [ParameterJacobian], shiftColumn: [Double], to base: ParameterJacobian) -> ParameterJacobian {
        var o = base
        o.append(contentsOf: ParameterJacobian(stacking: chunks))
        if symmetry == .superposition {
            o.append(.dense(Matrix(rows: o.rows, columns: 1, storage: shiftColumn)))
        }
        return o
    }

    /// `M = sum_x phi_x` of each field.
    static func fieldSums(_ fields: FieldBatch) -> [Double] {
        (0..<fields.rows).map { b in (0..<fields.columns).reduce(0) { $0 + fields[b, $1] } }
    }

    /// `p = 1/(1 + e^{w - u})` and `log(e^u + e^w)` without overflow.
    static func shares(_ u: Double, _ w: Double) -> (p: Double, logSum: Double) {
        let d = w - u
        return d > 0
            ? (exp(-d) / (1 + exp(-d)), w + log1p(exp(-d)))
            : (1 / (1 + exp(d)), u + log1p(exp(d)))
    }

    public func logPsi(_ fields: FieldBatch) -> [Double] {
        var value = base.logPsi(fields)
        forEachChunk(fields) { range, chunk in
            let f = network.value(chunk, parameters: networkParameters)
            guard symmetry != .none else {
                for (i, b) in range.enumerated() { value[b] += f[i] }
                return
            }
            let g = network.value(negated(chunk), parameters: networkParameters)
            let m = symmetry == .superposition ? Self.fieldSums(chunk) : []
            for (i, b) in range.enumerated() {
                value[b] += symmetry == .even ? f[i] + g[i] : Self.shares(f[i] + shift * m[i], g[i] - shift * m[i]).logSum
            }
        }
        return value
    }

    public func logPsiDerivatives(_ fields: FieldBatch) -> LogPsiDerivatives {
        var total = base.logPsiDerivatives(fields)
        addNetwork(to: &total, fields, laplacian: true) { (network.derivatives($0, parameters: networkParameters), nil) }
        return total
    }

    /// Both in one pass of the network over each chunk (one forward pass where
    /// the network shares it), combined as `symmetry` says.
    public func derivativesAndJacobian(_ fields: FieldBatch) -> (derivatives: LogPsiDerivatives, jacobian: ParameterJacobian) {
        var total = base.logPsiDerivatives(fields)
        var chunks: [ParameterJacobian] = [], shiftColumn: [Double] = []
        addNetwork(to: &total, fields, laplacian: true) { chunk in
            let (d, o) = network.derivativesAndJacobian(chunk, parameters: networkParameters)
            return (d, o)
        } jacobians: { parts, p, m in
            chunks.append(combined(parts, shares: p, sums: m, shiftColumn: &shiftColumn))
        }
        return (total, appending(chunks, shiftColumn: shiftColumn, to: base.parameterJacobian(fields)))
    }

    public func logPsiAndGradient(_ fields: FieldBatch) -> (value: [Double], gradient: FieldBatch) {
        let (value, gradient) = base.logPsiAndGradient(fields)
        let zeros = [Double](repeating: 0, count: fields.rows)
        var total = LogPsiDerivatives(value: value, gradient: gradient, laplacian: zeros)
        addNetwork(to: &total, fields, laplacian: false) { chunk in
            let (v, g) = network.valueAndGradient(chunk, parameters: networkParameters)
            return (LogPsiDerivatives(value: v, gradient: g, laplacian: [Double](repeating: 0, count: chunk.rows)), nil)
        }
        return (total.value, total.gradient)
    }

    /// Adds the network's terms (`terms`), combined as `symmetry` says, to
    /// `total`; when `evaluate` gives Jacobians, passes each chunk's parts to
    /// `jacobians` with the shares `p` and sums `M` (superposition; empty otherwise).
    private func addNetwork(
        to total: inout LogPsiDerivatives, _ fields: FieldBatch, laplacian: Bool, evaluate: (FieldBatch) -> Term,
        jacobians: ([ParameterJacobian], _ p: [Double], _ m: [Double]) -> Void = { _, _, _ in }
    ) {
        let v = lattice.volume
        forEachChunk(fields) { range, chunk in
            let terms = terms(chunk, evaluate)
            let parts = terms.map(\.derivatives), o = terms.compactMap(\.jacobian)
            guard symmetry == .superposition else {
                if o.count == parts.count { jacobians(o, [], []) }
                for part in parts {
                    for (i, b) in range.enumerated() {
                        total.value[b] += part.value[i]
                        total.laplacian[b] += part.laplacian[i]
                        for x in 0..<v { total.gradient[b, x] += part.gradient[i, x] }
                    }
                }
                return
            }
            let (u, w) = (parts[0], parts[1])
            let p = (0..<chunk.rows).map { Self.shares(u.value[$0], w.value[$0]).p }
            if o.count == parts.count { jacobians(o, p, Self.fieldSums(chunk)) }
            for (i, b) in range.enumerated() {
                let (p, logSum) = Self.shares(u.value[i], w.value[i])
                total.value[b] += logSum
                var spread = 0.0
                for x in 0..<v {
                    let (gu, gw) = (u.gradient[i, x], w.gradient[i, x])
                    total.gradient[b, x] += p * gu + (1 - p) * gw
                    spread += (gu - gw) * (gu - gw)
                }
                if laplacian { total.laplacian[b] += p * u.laplacian[i] + (1 - p) * w.laplacian[i] + p * (1 - p) * spread }
            }
        }
    }

    public func parameterJacobian(_ fields: FieldBatch) -> ParameterJacobian {
        var chunks: [ParameterJacobian] = [], shiftColumn: [Double] = []
        forEachChunk(fields) { _, chunk in
            let parts = signs.map { network.parameterJacobian($0 > 0 ? chunk : negated(chunk), parameters: networkParameters) }
            var p: [Double] = [], m: [Double] = []
            if symmetry == .superposition {
                let f = network.value(chunk, parameters: networkParameters)
                let g = network.value(negated(chunk), parameters: networkParameters)
                m = Self.fieldSums(chunk)
                p = (0..<chunk.rows).map { Self.shares(f[$0] + shift * m[$0], g[$0] - shift * m[$0]).p }
            }
            chunks.append(combined(parts, shares: p, sums: m, shiftColumn: &shiftColumn))
        }
        return appending(chunks, shiftColumn: shiftColumn, to: base.parameterJacobian(fields))
    }

    func negated(_ fields: FieldBatch) -> FieldBatch {
        var m = fields
        for i in m.storage.indices { m.storage[i] = -m.storage[i] }
        return m
    }

    private func forEachChunk(_ fields: FieldBatch, _ body: (Range<Int>, FieldBatch) -> Void) {
        let v = fields.columns
        var start = 0
        while start < fields.rows {
            let end = min(fields.rows, start + chunkSize)
            let chunk = FieldBatch(rows: end - start, columns: v, storage: Array(fields.storage[(start * v)..<(end * v)]))
            body(start..<end, chunk)
            start = end
        }
    }
}
