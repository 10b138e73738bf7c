import FourierTransform
import Foundation

/// The best Gaussian (Hartree) approximation to the ground state of
/// `H = sum_x 1/2 pi_x^2 + V(phi)` with the phi^4 potential of `ScalarTheory`
/// (docs/CONVENTIONS.md §1), made Z2-symmetric:
///
///     psi_T(phi) = g_v(phi) + g_{-v}(phi),   g_v = exp(-1/2 (phi - v)^T A (phi - v)),
///
/// with a uniform shift `v` and `A` circulant with eigenvalues
/// `omega_k = sqrt(khat^2 + mu2)`. The Gaussian's energy
///
///     E(v, mu2) = sum_k [omega_k/4 + (khat^2 + m2)/(4 omega_k)]
///                 + V [m2 v^2/2 + lambda v^4/24 + lambda v^2 G/4 + lambda G^2/8],   G = (1/V) sum_k 1/(2 omega_k),
///
/// is minimised: stationarity in each omega_k gives the gap equation
/// `mu2 = m2 + (lambda/2)(v^2 + G)`, in v either v = 0 (the symmetric phase) or
/// `m2 + lambda v^2/6 + lambda G/2 = 0` (a broken-phase well, mu2 = lambda v^2/3).
/// For each mu2 the best v is explicit, and E over log mu2 is minimised by a scan
/// and golden sections. At lambda = 0 (m2 > 0) it is the exact free ground state.
///
/// In a double well the symmetric Gaussian is a poor state (measured at L = 6,
/// m2 = -1, lambda = 2: its mixed estimator's variance and Trotter slope were ten
/// times the symmetric phase's); the symmetrised pair of shifted Gaussians keeps
/// both wells. With `z = omega_0 v M` and `M = sum_x phi_x` (A v = omega_0 v),
///
///     log psi_T = -1/2 phi^T A phi - V omega_0 v^2/2 + log(2 cosh z),
///     grad log psi_T = -A phi + omega_0 v tanh(z),
///     E_L = (H psi_T)/psi_T = 1/2 tr A - 1/2 |A phi|^2 - V omega_0^2 v^2/2 + omega_0 z tanh(z) + V(phi)
///
/// (the weighted mean of the two Gaussians' local energies). The state is the
/// trial wavefunction at both ends of a ground-state path integral
/// (`EuclideanAction.ends`); it needs no optimisation, so the path integral stays
/// independent of the variational ansatz.
///
/// A final class of constants (so `EuclideanAction`, which holds it, can also be its `potential`).
public final class GaussianTrialState: Sendable, Equatable {
    /// `V(phi)` and its gradient: the action of one time slice at unit spacing.
    public let potential: EuclideanAction
    /// `mu2`, the Hartree mass squared.
    public let effectiveMassSquared: Double
    /// `v`, the wells' uniform field (0 in the symmetric phase).
    public let shift: Double
    /// `omega_k` per momentum, row-major.
    public let frequencies: [Double]
    /// `A`.
    public let kernel: CirculantOperator
    /// `tr A = sum_k omega_k`.
    public let trace: Double
    /// The Gaussian's variational energy `E(v, mu2)` (an upper bound for one well's overlap-free state).
    public let gaussianEnergy: Double

    /// - Precondition: `lambda > 0`, or `lambda = 0` and `m2 > 0` (the config refuses the rest).
    public init(lattice: Lattice, massSquared m2: Double, coupling lambda: Double) {
        precondition(lambda > 0 || m2 > 0, "a Gaussian ground state needs lambda > 0 or m2 > 0")
        potential = EuclideanAction(lattice: lattice, massSquared: m2, coupling: lambda)
        let khat2 = lattice.latticeMomentaSquared
        let v = Double(lattice.volume)
        /// The best v^2 at mu2 and the energy there.
        func best(_ mu2: Double) -> (v2: Double, energy: Double) {
            var g = 0.0, modes = 0.0
            for k in khat2 {
                let w = (k + mu2).squareRoot()
                g += 1 / (2 * w)
                modes += w / 4 + (k + m2) / (4 * w)
            }
            g /= v
            let v2 = lambda > 0 ? max(0, -6 * (m2 + lambda * g / 2) / lambda) : 0
            return (v2, modes + v * (m2 * v2 / 2 + lambda * v2 * v2 / 24 + lambda * v2 * g / 4 + lambda * g * g / 8))
        }
        var mu2 = m2
        if lambda > 0 {
            // log mu2 on a grid spanning every scale of the couplings, then golden sections.
            let scale = max(1, abs(m2), lambda)
            let grid = (0...480).map { scale * pow(10, -12 + Double($0) / 30) }
            let energies = grid.map { best($0).energy }
            let i = energies.indices.min { energies[$0] < energies[$1] }!
            var a = log(grid[max(0, i - 1)]), b = log(grid[min(grid.count - 1, i + 1)])
            let r = (5.0.squareRoot() - 1) / 2
            for _ in 0..<100 {
                let c = b - r * (b - a), d = a + r * (b - a)
                if best(exp(c)).energy < best(exp(d)).energy { b = d } else { a = c }
            }
            mu2 = exp(0.5 * (a + b))
        }
        let chosen = best(mu2)
        effectiveMassSquared = mu2
        shift = chosen.v2.squareRoot()
        gaussianEnergy = chosen.energy
        frequencies = khat2.map { ($0 + mu2).squareRoot() }
        kernel = CirculantOperator(fft: RealFFT(extent: lattice.extent), eigenvalues: frequencies)
        trace = frequencies.sorted().reduce(0, +)
    }

    public var lattice: Lattice { potential.lattice }

    /// `omega_0 v`, the slope of `z` in `M`.
    private var zeroModeShift: Double { frequencies[0] * shift }

    /// `M = sum_x phi_x`.
    private func magnetization(_ phi: UnsafePointer<Double>) -> Double {
        var m = 0.0
        for x in 0..<lattice.volume { m += phi[x] }
        return m
    }

    /// The state is its potential (couplings and lattice), frequencies and shift.
    public static func == (a: GaussianTrialState, b: GaussianTrialState) -> Bool {
        a.potential == b.potential && a.frequencies == b.frequencies && a.shift == b.shift
    }

    /// Writes `A phi` into `out` (V values) and returns `log psi_T`;
    /// `spectrum` is `kernel.scratchCount` doubles of scratch.
    @discardableResult
    public func applyKernel(_ phi: UnsafePointer<Double>, into out: UnsafeMutablePointer<Double>, spectrum: UnsafeMutablePointer<Double>) -> Double {
        evaluate(phi, into: out, spectrum: spectrum).logPsi
    }

    /// `A phi` into `out`, and `log psi_T` with the `z` it was made from.
    private func evaluate(
        _ phi: UnsafePointer<Double>, into out: UnsafeMutablePointer<Double>, spectrum: UnsafeMutablePointer<Double>
    ) -> (logPsi: Double, z: Double) {
        kernel.apply(phi, into: out, spectrum: spectrum)
        let z = zeroModeShift * magnetization(phi)
        // log(2 cosh z) without overflow.
        let logPsi = -0.5 * lattice.dot(phi, out) - Double(lattice.volume) * frequencies[0] * shift * shift / 2 + abs(z) + log1p(exp(-2 * abs(z)))
        return (logPsi, z)
    }

    /// `-log psi_T(phi)` and `grad(-log psi_T) = A phi - omega_0 v tanh(z)` into `gradient`.
    public func negativeLogPsi(
        _ phi: UnsafePointer<Double>, gradient: UnsafeMutablePointer<Double>, spectrum: UnsafeMutablePointer<Double>
    ) -> Double {
        let (logPsi, z) = evaluate(phi, into: gradient, spectrum: spectrum)
        let pull = zeroModeShift * tanh(z)
        for x in 0..<lattice.volume { gradient[x] -= pull }
        return -logPsi
    }

    /// `E_L(phi)` of one field.
    ///
    /// - Complexity: O(V log V).
    public func localEnergy(_ phi: UnsafePointer<Double>) -> Double {
        let v = lattice.volume
        return withUnsafeTemporaryAllocation(of: Double.self, capacity: v + kernel.scratchCount) { scratch in
            let aphi = scratch.baseAddress!
            kernel.apply(phi, into: aphi, spectrum: aphi + v)
            let s = zeroModeShift, z = s * magnetization(phi)
            let wells = frequencies[0] * z * tanh(z) - Double(v) * s * s / 2
            return 0.5 * trace - 0.5 * lattice.dot(aphi, aphi) + wells + potential.action(phi)
        }
    }
}
