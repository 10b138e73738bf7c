import Lattice
import LinearAlgebra
import Parallelism
import Sampling
import Statistics

/// The flow as the proposal of independence Metropolis: chain c's prior draw
/// comes from its own stream, so proposals do not depend on the thread count;
/// the batch is pushed through the flow in blocks (`flowBlocks`) over threads and ranks.
extension AffineCouplingFlow: IndependentProposal {
    public func propose(_ streams: inout [RandomSource], parallelism: Parallelism) -> (fields: FieldBatch, logQ: [Double]) {
        let v = lattice.volume, n = streams.count
        var z = Matrix(rows: n, columns: v)
        z.storage.withUnsafeMutableBufferPointer { all in
            for c in 0..<n { streams[c].fillNormal(UnsafeMutableBufferPointer(rebasing: all[(c * v)..<((c + 1) * v)])) }
        }
        let blocks = parallelism.blocks(n, minimumRows: Self.blockRows)
        let draws = z
        let parts = parallelism.distributedMap(blocks.count) { b -> RankPair<Matrix, [Double]> in
            let (x, logQ) = sample(draws.rows(blocks[b]))
            return RankPair(x, logQ)
        }
        return (
            FieldBatch(rows: n, columns: v, storage: parts.flatMap(\.first.storage)), parts.flatMap(\.second)
        )
    }

    /// `log q(x) = log r(f^{-1}(x)) - log |det df/dz|`, by the inverse flow, in blocks over threads.
    public func logDensity(_ fields: FieldBatch, parallelism: Parallelism) -> [Double] {
        let n = fields.sampleCount
        let x = Matrix(rows: n, columns: lattice.volume, storage: fields.storage)
        let blocks = parallelism.blocks(n, minimumRows: Self.blockRows)
        let parts = parallelism.distributedMap(blocks.count) { b -> [Double] in
            let (z, logDet) = inverse(x.rows(blocks[b]))
            return zip(Self.logPrior(z), logDet).map { $0 - $1 }
        }
        return parts.flatMap { $0 }
    }
}
