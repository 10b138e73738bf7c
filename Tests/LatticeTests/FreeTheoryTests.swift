import Foundation
import Lattice
import LinearAlgebra
import Testing
import TestSupport

/// The free-theory formulas against an independent route: the Hamiltonian
/// `1/2 pi^2 + 1/2 phi^T K phi` with `K = -Laplacian + m2` built from the literal
/// neighbour rule is a set of oscillators with frequencies `sqrt(eig K)`, so
/// `E0 = 1/2 tr sqrt(K)` and `<phi_x^2> = tr(K^{-1/2}) / (2V)`, from a LAPACK
/// eigendecomposition.
@Suite struct FreeTheoryTests {
    func couplingMatrix(_ lattice: Lattice, _ m2: Double) -> Matrix {
        let v = lattice.volume
        var k = Matrix(rows: v, columns: v)
        for x in 0..<v {
            k[x, x] += m2
            for mu in 0..<lattice.dimension {
                // Bond (x, y = x + mu) contributes 1/2 (phi_y - phi_x)^2.
                let y = lattice.neighbours.forward[mu * v + x]
                k[x, x] += 1
                k[y, y] += 1
                k[x, y] -= 1
                k[y, x] -= 1
            }
        }
        return k
    }

    @Test(arguments: testExtents + [[16], [6, 6], [3, 4, 6]])
    func groundStateEnergyMatchesTheLAPACKRoute(extent: [Int]) throws {
        for m2 in [0.05, 0.5, 2.0] {
            let lattice = Lattice(extent: extent)
            let free = FreeTheory(lattice: lattice, massSquared: m2)
            let eigenvalues = try symmetricEigenvalues(couplingMatrix(lattice, m2))
            let e0 = 0.5 * eigenvalues.map { $0.squareRoot() }.reduce(0, +)
            let phi2 = eigenvalues.map { 1 / $0.squareRoot() }.reduce(0, +) / (2 * Double(lattice.volume))
            // Both sides are sums of V terms of O(1) with eigenvalues from an
            // O(V^3) decomposition: agreement to 1e-12 relative is machine precision.
            #expect(isClose(free.groundStateEnergy, e0, relative: 1e-12))
            #expect(isClose(free.fieldSquared, phi2, relative: 1e-12))
        }
    }

    @Test func singleSiteIsTheHarmonicOscillator() {
        let free = FreeTheory(lattice: Lattice(extent: [1]), massSquared: 4)
        #expect(free.groundStateEnergy == 1)  // omega = 2, E0 = omega/2
        #expect(free.momentumCorrelator == [0.25])
    }
}
