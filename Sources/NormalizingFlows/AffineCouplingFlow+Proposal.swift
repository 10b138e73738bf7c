import Lattice
import LinearAlgebra
import Parallelism
import Sampling
import Statistics

/// The flow as the proposal of independence Metropolis: chain c's prior draw
/// comes from its own stream, so proposals do not depend on the thread count;
/// the batch is pushed through the flow in blocks (`flowBlocks`) over threads and ranks.
extension AffineCouplingFlow {
    /// `log q(x) = log r(f^{-1}(x)) - log |det df/dz|`, by the exact inverse.
    public func logDensity(ofBlock x: Matrix) -> [Double] {
        let (z, logDet) = inverse(x)
        return zip(Self.logPrior(z), logDet).map { $0 - $1 }
    }

    /// Multiply-adds of one draw's forward pass: per layer and site every
    /// convolution's taps x inputs x outputs.
    public var flopsPerSample: Double {
        2 * Double(layers * lattice.volume) * Double(convolutions.reduce(0) { $0 + $1.tapCount * $1.inputs * $1.outputs })
    }

    /// None: the tutorial's flow proposes its draws as they are (its checkerboard
    /// map commutes only with the translations of even coordinate sum).
    public var cosetShifts: [[Int]] { [] }

    /// The same flow on another lattice of the same dimension: its convolutions
    /// are local and the masks a checkerboard on any lattice.
    public func on(_ other: Lattice) -> AffineCouplingFlow {
        var random = RandomSource(seed: 0)
        var flow = AffineCouplingFlow(lattice: other, layers: layers, hidden: hidden, kernel: kernel, random: &random)
        flow.parameters = parameters
        return flow
    }
}
