import Foundation
import Lattice
import LinearAlgebra
import Testing
import TestSupport

@Suite struct ScalarTheoryTests {
    /// The readable reference: the docs/CONVENTIONS.md §1 formula, one bond per site and direction.
    func referencePotential(_ theory: ScalarTheory, _ phi: [Double]) -> Double {
        let lattice = theory.lattice
        var sum = 0.0
        for x in 0..<lattice.volume {
            for mu in 0..<lattice.dimension {
                var c = lattice.coordinates(of: x)
                c[mu] += 1
                let d = phi[lattice.site(at: c)] - phi[x]
                sum += 0.5 * d * d
            }
            sum += 0.5 * theory.massSquared * phi[x] * phi[x] + theory.coupling / 24 * pow(phi[x], 4)
        }
        return sum
    }

    @Test(arguments: testExtents)
    func potentialMatchesTheReferenceLoop(extent: [Int]) {
        let theory = ScalarTheory(lattice: Lattice(extent: extent), massSquared: -0.7, coupling: 3.5)
        let fields = testFields(samples: 3, sites: theory.lattice.volume, seed: 21, scale: 1.5)
        let values = theory.potential(fields)
        for b in 0..<3 {
            let phi = Array(fields.storage[(b * fields.siteCount)..<((b + 1) * fields.siteCount)])
            #expect(isClose(values[b], referencePotential(theory, phi), relative: 1e-13))
        }
    }

    @Test(arguments: testExtents)
    func gradientMatchesFiniteDifferences(extent: [Int]) {
        let theory = ScalarTheory(lattice: Lattice(extent: extent), massSquared: 0.3, coupling: 24)
        let v = theory.lattice.volume
        let fields = testFields(samples: 2, sites: v, seed: 7)
        let gradient = theory.potentialGradient(fields)
        for b in 0..<2 {
            let phi = Array(fields.storage[(b * v)..<((b + 1) * v)])
            // Step 1e-5: truncation h^2 |d3V/dphi3| / 6 <= 1e-10 * lambda |phi| / 6 ~ 4e-10,
            // rounding eps |V| / h ~ 1e-10; 1e-8 leaves room for both.
            let numeric = FiniteDifference.gradient(
                { theory.potential(FieldBatch(rows: 1, columns: v, storage: $0))[0] }, at: phi, step: 1e-5)
            #expect(maxRelativeDeviation(Array(gradient.storage[(b * v)..<((b + 1) * v)]), numeric) < 1e-8)
        }
    }

    @Test func literalNeighbourRuleOnTinyLattices() {
        // L = 1: the gradient term vanishes (the anharmonic oscillator).
        let one = ScalarTheory(lattice: Lattice(extent: [1]), massSquared: 2, coupling: 24)
        #expect(one.potential(FieldBatch(rows: 1, columns: 1, storage: [0.5]))[0] == 0.5 * 2 * 0.25 + 0.0625)
        // L = 2: two sites coupled twice, (phi_1 - phi_0)^2 in total.
        let two = ScalarTheory(lattice: Lattice(extent: [2]), massSquared: 0, coupling: 0)
        #expect(two.potential(FieldBatch(rows: 1, columns: 2, storage: [1, 3]))[0] == 4)
    }

    @Test(arguments: [([6], 1.0), ([4, 3], 1.0), ([2, 3, 4], 1.0), ([5, 3], 0.3), ([3, 2, 2, 3], 0.7)])
    func euclideanForceIsMinusTheActionGradient(extent: [Int], temporalSpacing: Double) {
        let action = EuclideanAction(lattice: Lattice(extent: extent), massSquared: -1, coupling: 6, temporalSpacing: temporalSpacing)
        #expect(ActionCheck.forceDeviation(action, seed: 3) < 1e-8)
    }

    /// The one-pass kick p += h F equals the force of `force(_:into:)` (rows of
    /// length 1 and 2, and four dimensions, included).
    @Test(arguments: [([7], 1.0), ([5, 2], 0.6), ([3, 1], 1.0), ([2, 3, 4], 1.0), ([3, 2, 2, 5], 0.4)])
    func kickAddsTheForce(extent: [Int], temporalSpacing: Double) {
        let action = EuclideanAction(lattice: Lattice(extent: extent), massSquared: 0.3, coupling: 9, temporalSpacing: temporalSpacing)
        #expect(ActionCheck.kickDeviation(action, seed: 8) < 1e-13)
    }

    @Test func isotropicActionIsTheHamiltonianPotential() {
        let lattice = Lattice(extent: [4, 3])
        let action = EuclideanAction(lattice: lattice, massSquared: -1, coupling: 6)
        let theory = ScalarTheory(lattice: lattice, massSquared: -1, coupling: 6)
        let phi = testFields(samples: 1, sites: 12, seed: 5)
        let s = phi.storage.withUnsafeBufferPointer { action.action($0.baseAddress!) }
        #expect(abs(s - theory.potential(phi)[0]) < 1e-12 * abs(s))
    }

    /// Each convention's action, written out literally, equals the project's action of
    /// the rescaled field up to a constant (the hopping form's lam V).
    @Test(arguments: [ActionConvention.flow, .hopping])
    func conventionsMapOntoTheProjectAction(convention: ActionConvention) {
        let lattice = Lattice(extent: [4, 3])
        let (first, lam) = convention == .flow ? (-4.0, 8.0) : (0.18, 1.3)
        let mapped = convention.mapped(first: first, lam: lam, dimension: 2)
        let action = EuclideanAction(lattice: lattice, massSquared: mapped.massSquared, coupling: mapped.coupling)
        let given = testFields(samples: 1, sites: 12, seed: 9).storage
        let forward = lattice.neighbours.forward
        var literal = 0.0
        for x in 0..<12 {
            let p = given[x]
            for mu in 0..<2 {
                let q = given[forward[mu * 12 + x]]
                literal += convention == .flow ? (q - p) * (q - p) : -2 * first * p * q
            }
            literal += convention == .flow ? first * p * p + lam * p * p * p * p : p * p + lam * (p * p - 1) * (p * p - 1)
        }
        if convention == .hopping { literal -= lam * 12 }
        let scaled = given.map { $0 * mapped.fieldScale }
        let s = scaled.withUnsafeBufferPointer { action.action($0.baseAddress!) }
        #expect(abs(s - literal) < 1e-12 * max(1, abs(literal)))
    }
}
