import FourierTransform
import Lattice
import Statistics

/// Fourier acceleration of HMC (Duane, Kogut and Sinclair; Davies et al., Phys. Rev. D
/// 37 (1988) 1581): the molecular-dynamics kinetic term `1/2 p^T M^{-1} p` with the
/// mass matrix `M` the free action's kernel, diagonal in momentum space,
///
///     M(k) = K(k) = (1/a_t) khat_0^2 + a_t (sum_{mu>=1} khat_mu^2 + mu2)     (EuclideanAction.freeKernel),
///
/// so every mode of the free theory with mass `mu2` oscillates with the same unit
/// frequency, and a trajectory of length pi/2 decorrelates all of them at once
/// (critical slowing down of the free field removed exactly). `mu2 > 0` is the
/// acceleration mass: m2 for m2 > 0; for a double well, the curvature -2 m2 at its minima.
///
/// Momentum space conventions are `RealFFT`'s (docs/CONVENTIONS.md §1).
public struct FourierAcceleration: Sendable {
    /// `M^{1/2}` and `M^{-1}`.
    private let rootMass: CirculantOperator
    private let inverseMass: CirculantOperator

    public var fft: RealFFT { rootMass.fft }

    public init(action: EuclideanAction, accelerationMass mu2: Double) {
        precondition(mu2 > 0, "the acceleration mass must be positive")
        let fft = RealFFT(extent: action.lattice.extent)
        let kernel = action.freeKernel(massSquared: mu2)
        rootMass = CirculantOperator(fft: fft, eigenvalues: kernel.map { $0.squareRoot() })
        inverseMass = CirculantOperator(fft: fft, eigenvalues: kernel.map { 1 / $0 })
    }

    /// A momentum `p ~ N(0, M)`: `p = M^{1/2} eta` with `eta ~ N(0, 1)` per site.
    public func drawMomentum(
        _ random: inout RandomSource, into p: UnsafeMutableBufferPointer<Double>, spectrum: UnsafeMutableBufferPointer<Double>
    ) {
        random.fillNormal(p)
        rootMass.apply(p.baseAddress!, into: p.baseAddress!, spectrum: spectrum.baseAddress!)
    }

    /// The velocity `u = M^{-1} p`.
    public func velocity(
        _ p: UnsafePointer<Double>, into u: UnsafeMutablePointer<Double>, spectrum: UnsafeMutableBufferPointer<Double>
    ) {
        inverseMass.apply(p, into: u, spectrum: spectrum.baseAddress!)
    }
}
