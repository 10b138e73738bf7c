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

    @Test(arguments: [[6], [4, 3], [2, 3, 4]])
    func euclideanForceIsMinusTheActionGradient(extent: [Int]) {
        let action = EuclideanAction(lattice: Lattice(extent: extent), massSquared: -1, coupling: 6)
        let v = action.theory.lattice.volume
        let phi = testFields(samples: 1, sites: v, seed: 3).storage
        let force = action.force(FieldBatch(rows: 1, columns: v, storage: phi)).storage
        let numeric = FiniteDifference.gradient(
            { action.value(FieldBatch(rows: 1, columns: v, storage: $0))[0] }, at: phi, step: 1e-5)
        #expect(maxRelativeDeviation(force, numeric.map { -$0 }) < 1e-8)
    }
}
