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
    public let fft: RealFFT
    /// `sqrt(M)` and `1/M` per element of the half spectrum, with the 1/V of the
    /// unnormalised round trip folded in.
    private let rootMass: [Double]
    private let inverseMass: [Double]

    public init(action: EuclideanAction, accelerationMass mu2: Double) {
        precondition(mu2 > 0, "the acceleration mass must be positive")
        fft = RealFFT(extent: action.lattice.extent)
        let kernel = action.freeKernel(massSquared: mu2)
        let v = Double(fft.volume)
        rootMass = fft.spectrum.fullIndex.map { kernel[$0].squareRoot() / v }
        inverseMass = fft.spectrum.fullIndex.map { 1 / (kernel[$0] * v) }
    }

    /// Scratch space for one chain's transforms.
    public func makeSpectrum() -> [Double] { [Double](repeating: 0, count: 2 * fft.spectrum.count) }

    /// A momentum `p ~ N(0, M)`: `p = M^{1/2} eta` with `eta ~ N(0, 1)` per site.
    public func drawMomentum(
        _ random: inout RandomSource, into p: UnsafeMutableBufferPointer<Double>, spectrum: UnsafeMutableBufferPointer<Double>
    ) {
        random.fillNormal(p)
        apply(rootMass, to: p.baseAddress!, into: p.baseAddress!, spectrum: spectrum)
    }

    /// The velocity `u = M^{-1} p`.
    public func velocity(
        _ p: UnsafePointer<Double>, into u: UnsafeMutablePointer<Double>, spectrum: UnsafeMutableBufferPointer<Double>
    ) {
        apply(inverseMass, to: p, into: u, spectrum: spectrum)
    }

    /// `out = F^{-1} diag(factor) F in`, with `factor` already divided by V.
    private func apply(
        _ factor: [Double], to input: UnsafePointer<Double>, into output: UnsafeMutablePointer<Double>,
        spectrum: UnsafeMutableBufferPointer<Double>
    ) {
        let s = spectrum.baseAddress!
        fft.forward(input, s)
        factor.withUnsafeBufferPointer { f in
            for h in 0..<f.count {
                s[2 * h] *= f[h]
                s[2 * h + 1] *= f[h]
            }
        }
        fft.backward(destroying: s, output)
    }
}
