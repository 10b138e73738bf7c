import Foundation
import Lattice
import LinearAlgebra
import Parallelism
import Sampling
import Statistics

/// A normalizing flow of lattice field configurations: a map from prior draws
/// z ~ N(0, 1) per site to fields, with their exact log-density, trained on the
/// reverse Kullback–Leibler divergence KL(q || p) = E_q[log q + S] + log Z by the
/// reparameterisation gradient. The training loop, the batch's split over
/// threads and ranks and the flow's use as the proposal of independence
/// Metropolis are written once here; a flow brings its map, its backward pass and
/// its inverse (`AffineCouplingFlow`, the tutorial's real-NVP; `ContinuousFlow`,
/// the equivariant continuous flow).
public protocol FieldFlow: IndependentProposal {
    var lattice: Lattice { get }
    var parameters: [Double] { get set }

    /// Fields from prior draws `z` (`B x V`), with `log q` of each.
    func sample(_ z: Matrix) -> (x: Matrix, logQ: [Double])

    /// `log q` of given fields (`B x V`), by the inverse map.
    func logDensity(ofBlock x: Matrix) -> [Double]

    /// One block of draws: their `log q`, `-S`, and the gradient of
    /// `sum over the block of (log q + S) / batch`.
    func blockLossAndGradient(_ z: Matrix, action: some LatticeAction, batch: Int) -> FlowBatch

    /// Rows of the blocks a batch is split into: fixed by the flow, so a step's
    /// sums do not depend on the thread or rank count.
    static var blockRows: Int { get }

    /// Floating-point operations of one draw's forward pass (for units of work and benchmarks).
    var flopsPerSample: Double { get }

    /// The same flow on another lattice of the same dimension (its parameters
    /// mean the same there).
    func on(_ other: Lattice) -> Self
}

/// What one training batch yields.
public struct FlowBatch: Sendable {
    /// The reverse-KL loss `mean(log q + S)` (the divergence minus log Z).
    public var loss: Double
    public var logQ: [Double]
    /// `-S(x)` per field (the target's unnormalised log density).
    public var logP: [Double]
    /// `d loss / d parameters`.
    public var gradient: [Double]

    public init(loss: Double, logQ: [Double], logP: [Double], gradient: [Double]) {
        self.loss = loss
        self.logQ = logQ
        self.logP = logP
        self.gradient = gradient
    }
}

extension FieldFlow {
    /// The loss and its gradient over prior draws `z` (`B x V`), the batch split
    /// into blocks of samples over threads and ranks (data-parallel training):
    /// the blocks' gradients are added exactly across ranks (`Parallelism.sum`),
    /// their `log q` and `-S` gathered.
    public func lossAndGradient(_ z: Matrix, action: some LatticeAction, parallelism: Parallelism) -> FlowBatch {
        let b = z.rows
        let blocks = parallelism.blocks(b, minimumRows: Self.blockRows)
        let local = parallelism.localMap(blocks.count) { i in
            blockLossAndGradient(z.rows(blocks[i]), action: action, batch: b)
        }
        let gradient = parallelism.sum(local.map(\.value.gradient), length: parameters.count)
        let densities = parallelism.distributedMap(blocks.count) { i in
            RankPair(local[i - local[0].index].value.logQ, local[i - local[0].index].value.logP)
        }
        let logQ = densities.flatMap(\.first), logP = densities.flatMap(\.second)
        let loss = zip(logQ, logP).reduce(0) { $0 + $1.0 - $1.1 } / Double(b)
        return FlowBatch(loss: loss, logQ: logQ, logP: logP, gradient: gradient)
    }

    /// The flow as the proposal of independence Metropolis: chain c's prior
    /// draw comes from its own stream, so proposals do not depend on the thread
    /// count; the batch is pushed through the flow in blocks over threads and ranks.
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
        return (FieldBatch(rows: n, columns: v, storage: parts.flatMap(\.first.storage)), parts.flatMap(\.second))
    }

    /// `log q` of fields another kernel has moved, in blocks over threads and ranks.
    public func logDensity(_ fields: FieldBatch, parallelism: Parallelism) -> [Double] {
        let n = fields.sampleCount
        let x = Matrix(rows: n, columns: lattice.volume, storage: fields.storage)
        let blocks = parallelism.blocks(n, minimumRows: Self.blockRows)
        let parts = parallelism.distributedMap(blocks.count) { b -> [Double] in logDensity(ofBlock: x.rows(blocks[b])) }
        return parts.flatMap { $0 }
    }

    /// Kish's ESS per sample of the weights `exp(logP - logQ)`.
    public static func effectiveSampleFraction(logP: [Double], logQ: [Double]) -> Double {
        let logW = zip(logP, logQ).map { $0 - $1 }
        guard let top = logW.max(), top.isFinite else { return 0 }
        var sum = 0.0, squares = 0.0
        for w in logW {
            let e = exp(w - top)
            sum += e
            squares += e * e
        }
        return sum * sum / (Double(logW.count) * squares)
    }
}
