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
/// its inverse (`AffineCouplingFlow`, the tutorial's real-NVP; `KernelCouplingFlow`,
/// coupling layers of lattice-wide kernels).
///
/// A flow whose map commutes only with a subgroup of the lattice translations
/// names one translation of each other coset (`cosetShifts`); its proposals are
/// then its draws moved by a uniformly chosen coset translation, with density
/// the average `m(x) = (1/n) sum_s q(T_s x)` over the identity and those
/// translations, which is invariant under every translation exactly.
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

    /// One translation (a site offset) of each coset, other than the identity's,
    /// of the translations the map commutes with; empty for a flow whose
    /// proposals are its draws as they are.
    var cosetShifts: [[Int]] { get }
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
    /// draw (and, with `cosetShifts`, its uniform choice of a coset translation
    /// after it) comes from its own stream, so proposals do not depend on the
    /// thread count; the batch is pushed through the flow in blocks over threads
    /// and ranks. The densities are those of the translation average.
    public func propose(_ streams: inout [RandomSource], parallelism: Parallelism) -> (fields: FieldBatch, logQ: [Double]) {
        let v = lattice.volume, n = streams.count, shifts = [nil] + cosetShifts.map(Optional.some)
        var z = Matrix(rows: n, columns: v)
        var choice = [Int](repeating: 0, count: n)
        z.storage.withUnsafeMutableBufferPointer { all in
            for c in 0..<n {
                streams[c].fillNormal(UnsafeMutableBufferPointer(rebasing: all[(c * v)..<((c + 1) * v)]))
                if shifts.count > 1 { choice[c] = min(shifts.count - 1, Int(streams[c].uniform() * Double(shifts.count))) }
            }
        }
        let draws = z
        let parts = mapBlocks(n, parallelism) { rows -> RankPair<Matrix, [Double]> in
            let (x, logQ) = sample(draws.rows(rows))
            return RankPair(x, logQ)
        }
        var x = Matrix(rows: n, columns: v, storage: parts.flatMap(\.first.storage))
        var logQ = parts.flatMap(\.second)
        guard shifts.count > 1 else { return (FieldBatch(rows: n, columns: v, storage: x.storage), logQ) }
        // Chain c's proposal is T_c^{-1} x_c, whose average density has the term q(x_c) and,
        // for every other coset s, q(T_s T_c^{-1} x_c).
        for c in 0..<n {
            guard let shift = shifts[choice[c]] else { continue }
            let row = (c * v)..<((c + 1) * v)
            x.storage.replaceSubrange(row, with: lattice.translated(x.storage[row], by: shift.map { -$0 }))
        }
        var terms = logQ.map { [$0] }
        for s in shifts.indices {
            let rows = (0..<n).filter { choice[$0] != s }
            guard !rows.isEmpty else { continue }
            let moved = Matrix(rows: rows.count, columns: v, storage: rows.flatMap { c in
                shifts[s].map { lattice.translated(x.storage[(c * v)..<((c + 1) * v)], by: $0) } ?? Array(x.storage[(c * v)..<((c + 1) * v)])
            })
            for (row, value) in zip(rows, blockDensities(moved, parallelism)) { terms[row].append(value) }
        }
        logQ = terms.map { Self.logMean($0) }
        return (FieldBatch(rows: n, columns: v, storage: x.storage), logQ)
    }

    /// `log m` of fields another kernel has moved (the average over the coset
    /// translations), in blocks over threads and ranks.
    public func logDensity(_ fields: FieldBatch, parallelism: Parallelism) -> [Double] {
        let n = fields.sampleCount, v = lattice.volume
        let x = Matrix(rows: n, columns: v, storage: fields.storage)
        var terms = blockDensities(x, parallelism).map { [$0] }
        for shift in cosetShifts {
            let moved = Matrix(rows: n, columns: v, storage: (0..<n).flatMap { lattice.translated(x.storage[($0 * v)..<(($0 + 1) * v)], by: shift) })
            for (i, value) in blockDensities(moved, parallelism).enumerated() { terms[i].append(value) }
        }
        return terms.map { Self.logMean($0) }
    }

    /// The map's `log q` of fields, in blocks over threads and ranks.
    func blockDensities(_ x: Matrix, _ parallelism: Parallelism) -> [Double] {
        mapBlocks(x.rows, parallelism) { logDensity(ofBlock: x.rows($0)) }.flatMap { $0 }
    }

    /// `body` over the blocks of `n` rows, spread over threads and ranks, the results gathered in order.
    func mapBlocks<T: RankPackable>(_ n: Int, _ parallelism: Parallelism, _ body: @Sendable (Range<Int>) -> T) -> [T] {
        let blocks = parallelism.blocks(n, minimumRows: Self.blockRows)
        return parallelism.distributedMap(blocks.count) { body(blocks[$0]) }
    }

    /// `log((1/n) sum_i exp(terms_i))`, stably.
    static func logMean(_ terms: [Double]) -> Double {
        guard let top = terms.max(), top.isFinite else { return terms.max() ?? -.infinity }
        return top + log(terms.reduce(0) { $0 + exp($1 - top) } / Double(terms.count))
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
