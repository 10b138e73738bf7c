import Foundation
import Lattice
import Testing
import TestSupport

/// The Hartree trial state and the open (ground-state projection) path action,
/// against literal formulas built without FFTs, and finite differences.
@Suite struct ProjectionPathTests {
    /// `A` as a dense matrix, `A_xy = (1/V) sum_k cos(k.(x - y)) omega_k`, summed directly.
    func denseKernel(_ trial: GaussianTrialState) -> [[Double]] {
        let lattice = trial.lattice, v = lattice.volume
        return (0..<v).map { x in
            (0..<v).map { y in
                let nx = lattice.coordinates(of: x), ny = lattice.coordinates(of: y)
                var sum = 0.0
                for k in 0..<v {
                    let nk = lattice.coordinates(of: k)
                    var phase = 0.0
                    for mu in 0..<lattice.dimension {
                        phase += 2 * Double.pi * Double(nk[mu] * (nx[mu] - ny[mu])) / Double(lattice.extent[mu])
                    }
                    sum += cos(phase) * trial.frequencies[k]
                }
                return sum / Double(v)
            }
        }
    }

    func quadratic(_ a: [[Double]], _ phi: ArraySlice<Double>) -> Double {
        let p = Array(phi)
        return zip(a, p).reduce(0) { s, row in s + row.1 * zip(row.0, p).reduce(0) { $0 + $1.0 * $1.1 } }
    }

    @Test func freeTrialStateIsTheExactGroundState() {
        let lattice = Lattice(extent: [5, 3])
        let trial = GaussianTrialState(lattice: lattice, massSquared: 0.7, coupling: 0)
        let free = FreeTheory(lattice: lattice, massSquared: 0.7)
        #expect(maxRelativeDeviation(trial.frequencies, free.frequencies) < 1e-15)
        // H psi_0 = E0 psi_0: the local energy is E0 at every field (zero variance).
        let fields = testFields(samples: 4, sites: 15, seed: 2, scale: 2)
        for b in 0..<4 {
            let e = fields.storage.withUnsafeBufferPointer { trial.localEnergy($0.baseAddress! + b * 15) }
            #expect(isClose(e, free.groundStateEnergy, relative: 1e-13))
        }
    }

    /// The chosen Gaussian is stationary: the gap equation holds (symmetric phase, or a
    /// broken-phase well with mu2 = lambda v^2/3), and E(v, mu2) is flat in both
    /// arguments compared with 10% away. Cases on both sides of the Gaussian transition.
    @Test(arguments: [(1.0, 24.0, false), (-0.5, 6.0, false), (-1.0, 2.0, true), (-4.0, 1.0, true)])
    func hartreeStateIsStationary(m2: Double, lambda: Double, broken: Bool) {
        let lattice = Lattice(extent: [6])
        let trial = GaussianTrialState(lattice: lattice, massSquared: m2, coupling: lambda)
        let mu2 = trial.effectiveMassSquared, v = trial.shift
        let g = trial.frequencies.reduce(0) { $0 + 1 / (2 * $1) } / 6
        #expect(mu2 > 0 && (v > 0) == broken)
        #expect(abs(mu2 - m2 - lambda / 2 * (v * v + g)) < 1e-6 * max(1, abs(mu2)))
        if broken { #expect(abs(m2 + lambda * v * v / 6 + lambda * g / 2) < 1e-6 * max(1, abs(m2))) }
        func energy(_ v: Double, _ mu: Double) -> Double {
            let w = lattice.latticeMomentaSquared.map { ($0 + mu).squareRoot() }
            let gg = w.reduce(0) { $0 + 1 / (2 * $1) } / 6
            let modes = zip(w, lattice.latticeMomentaSquared).reduce(0) { $0 + $1.0 / 4 + ($1.1 + m2) / (4 * $1.0) }
            return modes + 6 * (m2 * v * v / 2 + lambda * pow(v, 4) / 24 + lambda * v * v * gg / 4 + lambda * gg * gg / 8)
        }
        #expect(abs(energy(v, mu2) - trial.gaussianEnergy) < 1e-12 * abs(trial.gaussianEnergy) + 1e-12)
        func slope(_ f: (Double) -> Double, _ x: Double) -> Double { let h = 1e-4 * x; return (f(x + h) - f(x - h)) / (2 * h) }
        #expect(abs(slope({ energy(v, $0) }, mu2)) < 1e-3 * abs(slope({ energy(v, $0) }, 1.1 * mu2)))
        if broken { #expect(abs(slope({ energy($0, mu2) }, v)) < 1e-3 * abs(slope({ energy($0, mu2) }, 1.1 * v))) }
    }

    /// `psi_T` written out with the dense `A`: the symmetrised pair of shifted Gaussians.
    func literalLogPsi(_ trial: GaussianTrialState, _ dense: [[Double]], _ phi: [Double]) -> Double {
        let plus = -0.5 * quadratic(dense, phi.map { $0 - trial.shift }[...])
        let minus = -0.5 * quadratic(dense, phi.map { $0 + trial.shift }[...])
        return max(plus, minus) + log(1 + exp(-abs(plus - minus)))
    }

    /// `A phi` by the FFT equals the dense sum, `log psi_T` its literal form, and
    /// E_L = -1/2 (lap psi)/psi + V with the Laplacian by central differences; in the
    /// symmetric phase and in a double well.
    @Test(arguments: [([5], -0.5, 6.0), ([3, 4], -0.5, 6.0), ([5], -1.0, 2.0), ([2, 3], -2.0, 3.0)])
    func localEnergyMatchesFiniteDifferences(extent: [Int], m2: Double, lambda: Double) {
        let lattice = Lattice(extent: extent), v = lattice.volume
        let trial = GaussianTrialState(lattice: lattice, massSquared: m2, coupling: lambda)
        let dense = denseKernel(trial)
        let phi = testFields(samples: 1, sites: v, seed: 9).storage.map { $0 + 0.3 }
        var aphi = [Double](repeating: 0, count: v), spectrum = [Double](repeating: 0, count: trial.kernel.scratchCount)
        let logPsi = phi.withUnsafeBufferPointer { p in
            aphi.withUnsafeMutableBufferPointer { trial.applyKernel(p.baseAddress!, into: $0.baseAddress!, spectrum: &spectrum) }
        }
        let direct = dense.map { row in zip(row, phi).reduce(0) { $0 + $1.0 * $1.1 } }
        #expect(maxRelativeDeviation(aphi, direct) < 1e-12)
        #expect(isClose(logPsi, literalLogPsi(trial, dense, phi), relative: 1e-12))
        let psi: ([Double]) -> Double = { exp(literalLogPsi(trial, dense, $0)) }
        let kinetic = -0.5 * FiniteDifference.laplacian(psi, at: phi, step: 1e-3) / psi(phi)
        let potential = ScalarTheory(lattice: lattice, massSquared: m2, coupling: lambda).potential(FieldBatch(rows: 1, columns: v, storage: phi))[0]
        let e = phi.withUnsafeBufferPointer { trial.localEnergy($0.baseAddress!) }
        // Central differences of step 1e-3: truncation ~ h^2 |d4 psi| / 12 per direction.
        #expect(abs(e - (kinetic + potential)) < 1e-5 * max(1, abs(e)))
    }

    /// The open path action written out literally over slices x_0 ... x_T.
    func literalPathAction(_ action: EuclideanAction, _ phi: [Double]) -> Double {
        let trial = action.ends!, vs = trial.lattice.volume, eps = action.temporalSpacing
        let t = action.lattice.extent[0] - 1
        let theory = ScalarTheory(lattice: trial.lattice, massSquared: action.massSquared, coupling: action.coupling)
        let dense = denseKernel(trial)
        func slice(_ j: Int) -> ArraySlice<Double> { phi[(j * vs)..<((j + 1) * vs)] }
        func v(_ j: Int) -> Double { theory.potential(FieldBatch(rows: 1, columns: vs, storage: Array(slice(j))))[0] }
        var s = 0.0
        for j in 0..<t { s += zip(slice(j + 1), slice(j)).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / (2 * eps) }
        for j in 1..<t { s += eps * v(j) }
        s += eps / 2 * (v(0) + v(t))
        return s - literalLogPsi(trial, dense, Array(slice(0))) - literalLogPsi(trial, dense, Array(slice(t)))
    }

    /// A path in a double well (m2 = -1.5, lambda = 3: the trial state is a symmetrised pair).
    func pathAction(_ slices: Int, _ spatial: [Int], eps: Double) -> EuclideanAction {
        let trial = GaussianTrialState(lattice: Lattice(extent: spatial), massSquared: -1.5, coupling: 3)
        return EuclideanAction(lattice: Lattice(extent: [slices] + spatial), massSquared: -1.5, coupling: 3, temporalSpacing: eps, ends: trial)
    }

    @Test(arguments: [(2, [3]), (5, [4]), (4, [2, 3]), (3, [1])])
    func openPathActionIsTheLiteralSum(slices: Int, spatial: [Int]) {
        let action = pathAction(slices, spatial, eps: 0.3)
        let phi = testFields(samples: 1, sites: action.lattice.volume, seed: 4).storage
        let s = phi.withUnsafeBufferPointer { action.action($0.baseAddress!) }
        #expect(isClose(s, literalPathAction(action, phi), relative: 1e-12))
    }

    @Test(arguments: [(2, [3]), (5, [4]), (4, [2, 3])])
    func openPathForceAndKickAreMinusTheGradient(slices: Int, spatial: [Int]) {
        let action = pathAction(slices, spatial, eps: 0.25)
        #expect(ActionCheck.forceDeviation(action, seed: 6) < 1e-8)
        #expect(ActionCheck.kickDeviation(action, seed: 6) < 1e-13)
    }
}
