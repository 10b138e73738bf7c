import Foundation
import Lattice
import LinearAlgebra

/// A base wavefunction (the Gaussian, or the Gaussian with a quartic tail)
/// times the exponential of a network:
///
///     log psi(phi) = log psi_base(phi) + f(phi),
///
/// with `f` a `FieldNetwork` (`MultilayerPerceptron`: kind gaussian-mlp;
/// `TranslationInvariantNetwork`: kind symmetric), or with `symmetrized`,
/// `f(phi) + f(-phi)` so that `psi(-phi) = psi(phi)` exactly (the phi -> -phi
/// symmetry of the ground state in the symmetric phase). Parameters: the
/// base's first, then the network's.
///
/// Batches are processed in chunks of `chunkSize` fields, bounding the memory of
/// the forward-mode Jacobians (`n_1 x chunk x V` doubles).
public struct GaussianNetwork<Base: WavefunctionModel, Network: FieldNetwork>: WavefunctionModel {
    public var base: Base
    public let network: Network
    public let symmetrized: Bool
    public var networkParameters: [Double]
    public var chunkSize = 256

    public init(base: Base, network: Network, networkParameters: [Double], symmetrized: Bool) {
        precondition(networkParameters.count == network.parameterCount)
        self.base = base
        self.network = network
        self.networkParameters = networkParameters
        self.symmetrized = symmetrized
    }

    public var lattice: Lattice { base.lattice }

    public var parameters: [Double] {
        get { base.parameters + networkParameters }
        set {
            let g = base.parameterCount
            base.parameters = Array(newValue[..<g])
            networkParameters = Array(newValue[g...])
        }
    }

    public func logPsi(_ fields: FieldBatch) -> [Double] {
        var value = base.logPsi(fields)
        forEachChunk(fields) { range, chunk in
            let f = network.value(chunk, parameters: networkParameters)
            let g = symmetrized ? network.value(negated(chunk), parameters: networkParameters) : nil
            for (i, b) in range.enumerated() { value[b] += f[i] + (g?[i] ?? 0) }
        }
        return value
    }

    public func logPsiDerivatives(_ fields: FieldBatch) -> LogPsiDerivatives {
        var total = base.logPsiDerivatives(fields)
        addNetwork(to: &total, fields) { network.derivatives($0, parameters: networkParameters) }
        return total
    }

    public func logPsiAndGradient(_ fields: FieldBatch) -> (value: [Double], gradient: FieldBatch) {
        let (value, gradient) = base.logPsiAndGradient(fields)
        let zeros = [Double](repeating: 0, count: fields.rows)
        var total = LogPsiDerivatives(value: value, gradient: gradient, laplacian: zeros)
        addNetwork(to: &total, fields) { chunk in
            let (v, g) = network.valueAndGradient(chunk, parameters: networkParameters)
            return LogPsiDerivatives(value: v, gradient: g, laplacian: [Double](repeating: 0, count: chunk.rows))
        }
        return (total.value, total.gradient)
    }

    /// Adds the network term `f(phi)` (plus `f(-phi)` when symmetrized), as
    /// `evaluate` computes it chunk by chunk, to `total`. The gradient of
    /// `f(-phi)` is `-f'(-phi)`; its value and Laplacian keep their sign.
    private func addNetwork(
        to total: inout LogPsiDerivatives, _ fields: FieldBatch, evaluate: (FieldBatch) -> LogPsiDerivatives
    ) {
        let v = lattice.volume
        forEachChunk(fields) { range, chunk in
            var parts = [(1.0, evaluate(chunk))]
            if symmetrized { parts.append((-1.0, evaluate(negated(chunk)))) }
            for (sign, part) in parts {
                for (i, b) in range.enumerated() {
                    total.value[b] += part.value[i]
                    total.laplacian[b] += part.laplacian[i]
                    for x in 0..<v { total.gradient[b, x] += sign * part.gradient[i, x] }
                }
            }
        }
    }

    public func parameterJacobian(_ fields: FieldBatch) -> ParameterJacobian {
        var o = base.parameterJacobian(fields)
        var chunks: [ParameterJacobian] = []
        forEachChunk(fields) { _, chunk in
            let n = network.parameterJacobian(chunk, parameters: networkParameters)
            chunks.append(symmetrized ? n.adding(network.parameterJacobian(negated(chunk), parameters: networkParameters)) : n)
        }
        o.append(contentsOf: ParameterJacobian(stacking: chunks))
        return o
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
