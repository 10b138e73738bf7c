import Foundation
import Lattice
import LinearAlgebra

/// The Gaussian times the exponential of a network:
///
///     log psi(phi) = log psi_Gauss(phi) + f(phi),
///
/// with `f` a `FieldNetwork` (`MultilayerPerceptron`: kind gaussian-mlp;
/// `TranslationInvariantNetwork`: kind symmetric), or with `symmetrized`,
/// `f(phi) + f(-phi)` so that `psi(-phi) = psi(phi)` exactly (the phi -> -phi
/// symmetry of the ground state in the symmetric phase). Parameters: the
/// Gaussian's `theta` first, then the network's.
///
/// Batches are processed in chunks of `chunkSize` fields, bounding the memory of
/// the forward-mode Jacobians (`n_1 x chunk x V` doubles).
public struct GaussianNetwork<Network: FieldNetwork>: WavefunctionModel {
    public var gaussian: GaussianAnsatz
    public let network: Network
    public let symmetrized: Bool
    public var networkParameters: [Double]
    public var chunkSize = 256

    public init(gaussian: GaussianAnsatz, network: Network, networkParameters: [Double], symmetrized: Bool) {
        precondition(networkParameters.count == network.parameterCount)
        self.gaussian = gaussian
        self.network = network
        self.networkParameters = networkParameters
        self.symmetrized = symmetrized
    }

    public var lattice: Lattice { gaussian.lattice }

    public var parameters: [Double] {
        get { gaussian.parameters + networkParameters }
        set {
            let g = gaussian.parameters.count
            gaussian.parameters = Array(newValue[..<g])
            networkParameters = Array(newValue[g...])
        }
    }

    public func logPsi(_ fields: FieldBatch) -> [Double] {
        var value = gaussian.logPsi(fields)
        forEachChunk(fields) { range, chunk in
            let f = network.value(chunk, parameters: networkParameters)
            let g = symmetrized ? network.value(negated(chunk), parameters: networkParameters) : nil
            for (i, b) in range.enumerated() { value[b] += f[i] + (g?[i] ?? 0) }
        }
        return value
    }

    public func logPsiDerivatives(_ fields: FieldBatch) -> LogPsiDerivatives {
        var total = gaussian.logPsiDerivatives(fields)
        let v = lattice.volume
        forEachChunk(fields) { range, chunk in
            var parts = [network.derivatives(chunk, parameters: networkParameters)]
            if symmetrized { parts.append(network.derivatives(negated(chunk), parameters: networkParameters)) }
            for (k, part) in parts.enumerated() {
                // d/dphi of f(-phi) is -f'(-phi); the Laplacian keeps its sign.
                let sign = k == 0 ? 1.0 : -1.0
                for (i, b) in range.enumerated() {
                    total.value[b] += part.value[i]
                    total.laplacian[b] += part.laplacian[i]
                    for x in 0..<v { total.gradient[b, x] += sign * part.gradient[i, x] }
                }
            }
        }
        return total
    }

    public func logPsiAndGradient(_ fields: FieldBatch) -> (value: [Double], gradient: FieldBatch) {
        var (value, gradient) = gaussian.logPsiAndGradient(fields)
        let v = lattice.volume
        forEachChunk(fields) { range, chunk in
            var parts = [network.valueAndGradient(chunk, parameters: networkParameters)]
            if symmetrized { parts.append(network.valueAndGradient(negated(chunk), parameters: networkParameters)) }
            for (k, part) in parts.enumerated() {
                let sign = k == 0 ? 1.0 : -1.0
                for (i, b) in range.enumerated() {
                    value[b] += part.value[i]
                    for x in 0..<v { gradient[b, x] += sign * part.gradient[i, x] }
                }
            }
        }
        return (value, gradient)
    }

    public func parameterGradient(_ fields: FieldBatch) -> Matrix {
        let g = gaussian.parameterGradient(fields)
        let pg = g.columns, pn = network.parameterCount
        var o = Matrix(rows: fields.rows, columns: pg + pn)
        for b in 0..<fields.rows { for q in 0..<pg { o[b, q] = g[b, q] } }
        forEachChunk(fields) { range, chunk in
            var n = network.parameterGradient(chunk, parameters: networkParameters)
            if symmetrized {
                let m = network.parameterGradient(negated(chunk), parameters: networkParameters)
                for i in n.storage.indices { n.storage[i] += m.storage[i] }
            }
            for (i, b) in range.enumerated() { for q in 0..<pn { o[b, pg + q] = n[i, q] } }
        }
        return o
    }

    private func negated(_ fields: FieldBatch) -> FieldBatch {
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
