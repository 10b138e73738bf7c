import ExactDiagonalization
import Foundation
import Lattice
import Testing
import TestSupport

@Suite struct ExactDiagonalizationTests {
    /// The textbook anharmonic oscillator `p^2 + x^2 + x^4` has E0 = 1.3923516415...
    /// (Hioe and Montroll, J. Math. Phys. 16 (1975) 1945). In our convention that
    /// is twice `p^2/2 + x^2/2 + x^4/2`: one site, m2 = 1, lambda = 12.
    @Test func textbookAnharmonicOscillator() throws {
        let theory = ScalarTheory(lattice: Lattice(extent: [1]), massSquared: 1, coupling: 12)
        let result = try ExactDiagonalization(theory: theory).solve(tolerance: 1e-13)
        #expect(result.converged)
        #expect(abs(2 * result.energy - 1.392_351_641_530_291_8) < 1e-11, "\(2 * result.energy)")
    }

    /// The double well `p^2/2 - x^2/2 + x^4/24 * 24` converges too (one site, m2 < 0).
    @Test func doubleWellConverges() throws {
        let theory = ScalarTheory(lattice: Lattice(extent: [1]), massSquared: -1, coupling: 6)
        let result = try ExactDiagonalization(theory: theory).solve(tolerance: 1e-12)
        #expect(result.converged)
    }

    /// With lambda = 0 the truncated problem must converge to E0 = 1/2 sum_k omega_k.
    @Test(arguments: [[1], [2], [3], [4], [2, 2], [1, 3], [2, 1, 2]])
    func freeTheoryIsReproduced(extent: [Int]) throws {
        let lattice = Lattice(extent: extent)
        let theory = ScalarTheory(lattice: lattice, massSquared: 0.7, coupling: 0)
        let result = try ExactDiagonalization(theory: theory).solve(tolerance: 1e-12)
        let exact = FreeTheory(lattice: lattice, massSquared: 0.7).groundStateEnergy
        #expect(result.converged, "\(extent): \(result.steps)")
        #expect(isClose(result.energy, exact, relative: 1e-9), "\(extent): \(result.energy) vs \(exact)")
        // And the ground state's G(r) = (1/V) sum_k cos(k.r) / (2 omega_k).
        let omega = FreeTheory(lattice: lattice, massSquared: 0.7).frequencies
        for r in 0..<lattice.volume {
            let cr = lattice.coordinates(of: r)
            let g = (0..<lattice.volume).reduce(0.0) { sum, k in
                let phase = zip(lattice.momentum(k), cr).reduce(0.0) { $0 + $1.0 * Double($1.1) }
                return sum + cos(phase) / (2 * omega[k])
            } / Double(lattice.volume)
            #expect(isClose(result.correlator[r], g, relative: 1e-8), "\(extent) r = \(cr): \(result.correlator[r]) vs \(g)")
        }
    }

    @Test func interactingChainConvergesMonotonically() throws {
        let theory = ScalarTheory(lattice: Lattice(extent: [3]), massSquared: 1, coupling: 24)
        let result = try ExactDiagonalization(theory: theory).solve()
        #expect(result.converged)
        // A larger truncation is a larger variational space: energies never rise.
        for (a, b) in zip(result.steps, result.steps.dropFirst()) { #expect(b.energy <= a.energy + 1e-12) }
    }
}
