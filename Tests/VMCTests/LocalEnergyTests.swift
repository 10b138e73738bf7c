import Foundation
import FourierTransform
import Lattice
import LinearAlgebra
import NeuralAnsatz
import Testing
import TestSupport
import VMC

@Suite struct LocalEnergyTests {
    /// At `a_k = omega_k` the Gaussian is the free ground state: `E_loc = E0`
    /// for every field (docs/CONVENTIONS.md §1), to rounding (~1e-15 per term, V terms).
    @Test(arguments: testExtents)
    func exactGaussianHasConstantLocalEnergy(extent: [Int]) {
        let lattice = Lattice(extent: extent)
        let m2 = 0.37
        let free = FreeTheory(lattice: lattice, massSquared: m2)
        var model = GaussianAnsatz(lattice: lattice, fft: RealFFT(extent: extent))
        for k in 0..<lattice.volume { model.parameters[model.orbitOfMomentum[k]] = log(free.frequencies[k]) }
        let theory = ScalarTheory(lattice: lattice, massSquared: m2, coupling: 0)
        let energies = localEnergies(model, theory, testFields(samples: 5, sites: lattice.volume, seed: 2, scale: 3))
        for e in energies { #expect(isClose(e, free.groundStateEnergy, relative: 1e-13)) }
    }

    /// `E_loc = -1/2 (laplacian psi)/psi + V` with the Laplacian of `psi = exp(log psi)`
    /// by central differences (step 1e-3: truncation and rounding both ~1e-7 relative).
    @Test(arguments: [[5], [3, 2], [2, 2, 2]])
    func matchesTheDefinitionByFiniteDifferences(extent: [Int]) {
        let lattice = Lattice(extent: extent)
        var model = GaussianAnsatz(lattice: lattice, fft: RealFFT(extent: extent))
        model.parameters = model.parameters.indices.map { 0.2 * cos(Double($0)) }
        let theory = ScalarTheory(lattice: lattice, massSquared: -0.5, coupling: 12)
        let v = lattice.volume
        let fields = testFields(samples: 2, sites: v, seed: 6, scale: 0.8)
        let energies = localEnergies(model, theory, fields)
        for b in 0..<2 {
            let phi = Array(fields.storage[(b * v)..<((b + 1) * v)])
            let psi = { (x: [Double]) in exp(model.logPsi(FieldBatch(rows: 1, columns: v, storage: x))[0]) }
            let kinetic = -0.5 * FiniteDifference.laplacian(psi, at: phi) / psi(phi)
            let potential = theory.potential(FieldBatch(rows: 1, columns: v, storage: phi))[0]
            #expect(isClose(energies[b], kinetic + potential, relative: 1e-6))
        }
    }
}
