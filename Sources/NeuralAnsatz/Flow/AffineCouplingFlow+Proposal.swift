import Lattice
import LinearAlgebra
import Parallelism
import Sampling
import Statistics

/// The flow as the proposal of independence Metropolis: chain c's prior draw
/// comes from its own stream, so proposals do not depend on the thread count;
/// the batch is pushed through the flow in blocks over threads.
extension AffineCouplingFlow: IndependentProposal {
    public func propose(_ streams: inout [RandomSource], parallelism: Parallelism) -> (fields: FieldBatch, logQ: [Double]) {
        let v = lattice.volume, n = streams.count
        var z = Matrix(rows: n, columns: v)
        z.storage.withUnsafeMutableBufferPointer { all in
            for c in 0..<n { streams[c].fillNormal(UnsafeMutableBufferPointer(rebasing: all[(c * v)..<((c + 1) * v)])) }
        }
        let blocks = evenSplit(n, parts: min(n, parallelism.threads))
        let draws = z
        let parts = parallelism.map(blocks.count) { sample(draws.rows(blocks[$0])) }
        return (
            FieldBatch(rows: n, columns: v, storage: parts.flatMap(\.x.storage)), parts.flatMap(\.logQ)
        )
    }

    /// `log q(x) = log r(f^{-1}(x)) - log |det df/dz|`, by the inverse flow, in blocks over threads.
    public func logDensity(_ fields: FieldBatch, parallelism: Parallelism) -> [Double] {
        let n = fields.sampleCount
        let x = Matrix(rows: n, columns: lattice.volume, storage: fields.storage)
        let blocks = evenSplit(n, parts: max(1, min(n, parallelism.threads)))
        let parts = parallelism.map(blocks.count) { b -> [Double] in
            let (z, logDet) = inverse(x.rows(blocks[b]))
            return zip(Self.logPrior(z), logDet).map { $0 - $1 }
        }
        return parts.flatMap { $0 }
    }
}
