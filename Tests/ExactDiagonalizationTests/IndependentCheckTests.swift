import ExactDiagonalization
import Foundation
import Lattice
import LinearAlgebra
import Testing
import TestSupport

/// A second, independent route to the interacting ground-state energy, to check
/// the production solver (single-site anharmonic eigenbasis, Lanczos): the
/// Hamiltonian written out term by term from its definition,
///
///     H = sum_x [ p_x^2/2 + 1/2 sum_mu (phi_{x+mu} - phi_x)^2 + m2/2 phi_x^2 + lambda/24 phi_x^4 ],
///
/// as a dense matrix in the plain product basis of harmonic-oscillator states
/// (frequency `omega`, `m` per site), restricted to the sector even under
/// phi -> -phi (the ground state's: even total quanta), and diagonalised by
/// LAPACK (dsyevd). Different basis, different assembly, different eigensolver.
@Suite struct IndependentCheckTests {
    /// Site operators in the oscillator basis of size `m`, with every kept
    /// element exact: products formed in a basis four states larger, then cut.
    struct SiteOperators {
        let x, x2, x4, p2: [[Double]]

        init(states m: Int, omega: Double) {
            let big = m + 4
            var x = [[Double]](repeating: [Double](repeating: 0, count: big), count: big)
            for n in 0..<(big - 1) {
                x[n][n + 1] = (Double(n + 1) / (2 * omega)).squareRoot()
                x[n + 1][n] = x[n][n + 1]
            }
            func times(_ a: [[Double]], _ b: [[Double]]) -> [[Double]] {
                (0..<big).map { i in (0..<big).map { j in (0..<big).reduce(0) { $0 + a[i][$1] * b[$1][j] } } }
            }
            let x2 = times(x, x)
            let x4 = times(x2, x2)
            // p = i sqrt(omega/2) (a^dagger - a):  p^2 = (omega/2) (2n + 1 - a^2 - a^dagger^2).
            var p2 = [[Double]](repeating: [Double](repeating: 0, count: m), count: m)
            for n in 0..<m {
                p2[n][n] = omega / 2 * Double(2 * n + 1)
                if n + 2 < m {
                    p2[n][n + 2] = -omega / 2 * (Double(n + 1) * Double(n + 2)).squareRoot()
                    p2[n + 2][n] = p2[n][n + 2]
                }
            }
            func cut(_ a: [[Double]]) -> [[Double]] { a.prefix(m).map { Array($0.prefix(m)) } }
            (self.x, self.x2, self.x4, self.p2) = (cut(x), cut(x2), cut(x4), p2)
        }
    }

    /// The lowest eigenvalue of the dense `H` on a periodic chain of `sites`
    /// (1, 2 or 3), `m` oscillator states per site, and the ground state's
    /// `G(r) = <phi_0 phi_r>` (translation invariance: any x is x = 0).
    func denseGroundState(
        sites v: Int, m2: Double, lambda: Double, states m: Int, omega: Double
    ) throws -> (energy: Double, correlator: [Double]) {
        let op = SiteOperators(states: m, omega: omega)
        // The even sector: product states with an even number of quanta in all.
        var states: [[Int]] = []
        func enumerate(_ prefix: [Int]) {
            if prefix.count == v {
                if prefix.reduce(0, +) % 2 == 0 { states.append(prefix) }
                return
            }
            for n in 0..<m { enumerate(prefix + [n]) }
        }
        enumerate([])
        // <a|O_x|b> for a one-site operator and <a|A_x B_y|b> for two, in the product basis.
        func one(_ o: [[Double]], _ x: Int, _ a: [Int], _ b: [Int]) -> Double {
            for y in 0..<v where y != x && a[y] != b[y] { return 0 }
            return o[a[x]][b[x]]
        }
        func two(_ o: [[Double]], _ x: Int, _ y: Int, _ a: [Int], _ b: [Int]) -> Double {
            if x == y { return zip(o[a[x]], o.map { $0[b[x]] }).reduce(0) { $0 + $1.0 * $1.1 } * one(identity, x, a, b) }
            for z in 0..<v where z != x && z != y && a[z] != b[z] { return 0 }
            return o[a[x]][b[x]] * o[a[y]][b[y]]
        }
        let identity = (0..<m).map { i in (0..<m).map { j in i == j ? 1.0 : 0 } }
        // The literal periodic neighbour rule: the bond from x to x+1 mod L (none for L = 1).
        let bonds = v == 1 ? [] : (0..<v).map { ($0, ($0 + 1) % v) }
        var h = Matrix(rows: states.count, columns: states.count)
        for (i, a) in states.enumerated() {
            for (j, b) in states.enumerated() where j <= i {
                var e = 0.0
                for x in 0..<v {
                    e += 0.5 * one(op.p2, x, a, b) + 0.5 * m2 * one(op.x2, x, a, b) + lambda / 24 * one(op.x4, x, a, b)
                }
                for (x, y) in bonds {
                    // 1/2 (phi_y - phi_x)^2 = 1/2 phi_y^2 + 1/2 phi_x^2 - phi_x phi_y.
                    e += 0.5 * one(op.x2, y, a, b) + 0.5 * one(op.x2, x, a, b) - two(op.x, x, y, a, b)
                }
                h[i, j] = e
                h[j, i] = e
            }
        }
        let eigen = try symmetricEigensystem(h)
        let psi = (0..<states.count).map { eigen.vectors[$0, 0] }
        let correlator = (0..<v).map { r in
            var sum = 0.0
            for (i, a) in states.enumerated() {
                for (j, b) in states.enumerated() {
                    sum += psi[i] * psi[j] * (r == 0 ? one(op.x2, 0, a, b) : two(op.x, 0, r, a, b))
                }
            }
            return sum
        }
        return (eigen.values[0], correlator)
    }

    /// Strong coupling on 2 sites, weak and moderate on 3, and a double well on
    /// 2 sites: there the on-site potential -2 x^2 + x^4/4 (m2 + 2 = -4) makes the
    /// production solver's single-site eigenbasis far from oscillator states
    /// (its two lowest levels are a tunnelling doublet, split by 0.0097 against
    /// 2.14 to the next). The dense energies are first shown converged in `m`
    /// (to 2e-10 relative: the oscillator basis converges slowly at lambda = 6
    /// on 3 sites), then compared to 1e-9.
    @Test(arguments: [
        (2, 1.0, 24.0, 24, 3.5),
        (3, 0.5, 2.0, 14, 2.0),
        (3, 1.0, 6.0, 14, 3.0),
        (2, -6.0, 6.0, 40, 2.5),
    ] as [(Int, Double, Double, Int, Double)])
    func productionSolverAgreesWithTheDenseOscillatorBasis(
        sites: Int, m2: Double, lambda: Double, states: Int, omega: Double
    ) throws {
        let dense = try denseGroundState(sites: sites, m2: m2, lambda: lambda, states: states, omega: omega)
        let denser = try denseGroundState(sites: sites, m2: m2, lambda: lambda, states: states + 2, omega: omega)
        #expect(isClose(dense.energy, denser.energy, relative: 2e-10), "not converged in the oscillator basis: \(dense) vs \(denser)")

        let theory = ScalarTheory(lattice: Lattice(extent: [sites]), massSquared: m2, coupling: lambda)
        let production = try ExactDiagonalization(theory: theory).solve()
        #expect(production.converged)
        #expect(isClose(production.energy, denser.energy, relative: 1e-9), "production \(production.energy) vs dense \(denser)")
        // G(r) from the production solver's Lanczos eigenvector (averaged over x)
        // against the dense eigenvector's <phi_0 phi_r>: x^2 exact there, the
        // square of the truncated X here, both converged.
        for r in 0..<sites {
            #expect(isClose(production.correlator[r], denser.correlator[r], relative: 1e-7),
                    "G(\(r)): production \(production.correlator[r]) vs dense \(denser.correlator[r])")
        }
        if m2 + 2 < 0 {
            let site = try SingleSiteBasis(mu2: m2 + 2, g: lambda / 24, states: 3, oscillatorStates: 160)
            #expect(site.energies[1] - site.energies[0] < 0.2 * (site.energies[2] - site.energies[1]), "a tunnelling doublet")
        }
    }
}
