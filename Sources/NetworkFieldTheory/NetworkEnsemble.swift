import FourierTransform
import LinearAlgebra
import Parallelism
import Statistics

/// An ensemble of `networks` independent networks drawn from `prior`, streamed in
/// batches of `batch` (never stored): batch b draws from its own stream
/// (`seed`, b) and its sums are added in batch order, so the moments do not
/// depend on the thread count or on where a run was stopped and resumed.
public struct NetworkEnsemble: Sendable {
    public let prior: any NetworkPrior
    public let networks: Int
    public let batch: Int
    public let seed: UInt64
    public let quadruples: [[Int]]
    public let batches: Int
    /// Jackknife blocks of the four-point function (fewer when there are fewer batches).
    public let blocks: Int
    /// FFT plans of a periodic lattice whose ensemble is translation invariant
    /// (momentum and position correlators); nil otherwise.
    public let fft: RealFFT?

    /// Networks drawn and evaluated together: fixed, so the draws of a batch do
    /// not depend on anything but its stream.
    static let chunk = 32

    public init(prior: any NetworkPrior, networks: Int, batch: Int, seed: UInt64, quadruples: [[Int]], translationInvariant: Bool) {
        self.prior = prior
        self.networks = networks
        self.batch = batch
        self.seed = seed
        self.quadruples = quadruples
        batches = (networks + batch - 1) / batch
        blocks = max(1, min(128, batches))
        fft = translationInvariant ? prior.inputs.lattice.map { RealFFT(extent: $0.extent) } : nil
    }

    /// Empty sums for this ensemble.
    public func emptyMoments() -> EnsembleMoments {
        EnsembleMoments(points: prior.inputs.count, quadruples: quadruples, blocks: blocks, spectrum: fft?.spectrum)
    }

    /// Adds batches `range` to `moments`, computed on `parallelism`'s threads
    /// and ranks (each batch's sums gathered, then merged in batch order).
    public func add(batches range: Range<Int>, to moments: inout EnsembleMoments, parallelism: Parallelism) {
        let partials = parallelism.distributedMap(range.count) { i in self.moments(ofBatch: range.lowerBound + i) }
        for partial in partials { moments.merge(partial) }
    }

    /// The sums of batch `b` alone.
    public func moments(ofBatch b: Int) -> EnsembleMoments {
        let count = min(batch, networks - b * batch)
        var random = RandomSource(seed: seed, stream: UInt64(b))
        let p = prior.inputs.count
        var fields = Matrix(rows: count, columns: p)
        var start = 0
        while start < count {
            let n = min(Self.chunk, count - start)
            var parameters = NetworkParameters(networks: n, width: prior.width, dimension: prior.inputs.dimension)
            prior.draw(&parameters, &random)
            fields.storage.withUnsafeMutableBufferPointer { prior.evaluate(parameters, into: $0.baseAddress! + start * p) }
            start += n
        }
        var moments = emptyMoments()
        moments.add(fields, block: b * blocks / batches, fft: fft)
        return moments
    }
}
