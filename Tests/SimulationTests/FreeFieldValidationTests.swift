import Foundation
import Lattice
import Simulation
import SimulationConfig
import Testing
import TestSupport

/// Validation ladder step 1 (docs/CONVENTIONS.md §4): with the Gaussian ansatz a run on the
/// free theory reaches E0 = 1/2 sum_k omega_k, with zero local-energy variance,
/// and G(k) = 1/(2 omega_k) within honest errors; in d = 1, 2, 3 on non-square lattices.
@Suite struct FreeFieldValidationTests {
    static let cases: [(extent: [Int], m2: Double, seed: UInt64)] = [
        ([10], 0.3, 1), ([6, 4], 0.7, 2), ([4, 3, 5], 1.3, 3),
    ]

    func configuration(_ extent: [Int], m2: Double, seed: UInt64) throws -> GroundStateConfiguration {
        let volume = extent.reduce(1, *)
        return try GroundStateConfiguration.parse(
            yaml: """
                seed: \(seed)
                lattice: {extent: \(extent)}
                theory: {m2: \(m2), lambda: 0}
                sampler: {chains: 16, thermalization: 100, sweep: \(max(4, volume / 4))}
                optimizer: {kind: sr, steps: 150, samples: 256, learning_rate: 0.2, diag_shift: 1.0e-4}
                evaluation: {samples: 16384}
                """, defaultName: "validation")
    }

    @Test(arguments: cases)
    func gaussianRunReproducesTheFreeTheory(extent: [Int], m2: Double, seed: UInt64) throws {
        let simulation = GroundStateRun(configuration: try configuration(extent, m2: m2, seed: seed))
        let result = try simulation.run()
        let free = FreeTheory(lattice: simulation.lattice, massSquared: m2)
        let e0 = free.groundStateEnergy
        #expect(result.reference?.energy == e0)
        // The bar: E0 within 1e-8 relative, and a variance consistent
        // with zero at that precision.
        #expect(abs(result.energy.mean - e0) < 1e-8 * e0, "seed \(seed): \(result.energy.mean) vs \(e0)")
        #expect(result.energy.variance < 1e-16 * e0 * e0, "seed \(seed): variance \(result.energy.variance)")
        // Honest G(k) errors: about V/2 independent momenta, so the normalised
        // RMS is 1 +- 1/sqrt(V); [0.5, 2] is more than 3 of those for V >= 10.
        // correlator_k.csv as written, one row per momentum in row-major order.
        let table = try #require(result.tables["correlator_k.csv"])
        func column(_ name: String) throws -> [Double] { try #require(table.column(name)).compactMap(Double.init) }
        let rms = normalizedRMS(values: try column("G"), errors: try column("G_err"), exact: free.momentumCorrelator)
        #expect(rms > 0.5 && rms < 2, "seed \(seed): normalised RMS \(rms)")
        #expect(try column("G_free") == free.momentumCorrelator)
        // The order parameter M = phitilde_0 of the free ground state is Gaussian
        // with <M^2>/V = G(0) = 1/(2 sqrt(m2)): <|M|>/V = sqrt(2 G(0)/(pi V)) and a
        // Binder cumulant of 0. Within 4 errors each (three cases, three observables).
        let g0 = 1 / (2 * m2.squareRoot()), v = Double(simulation.lattice.volume)
        let exact = ["chi2": g0, "abs_magnetization": (2 * g0 / (Double.pi * v)).squareRoot(), "binder": 0]
        for (name, value) in exact {
            let e = try #require(result.orderParameter[name])
            // Errors small enough to mean something: 10% of the value, 0.05 for the Binder cumulant.
            #expect(abs(e.mean - value) < 4 * e.error && e.error < max(0.1 * value, 0.05), "\(name): \(e.mean) +- \(e.error) vs \(value)")
        }
    }

    @Test func sameSeedSameNumbers() throws {
        let config = try configuration([5], m2: 0.5, seed: 9)
        let a = try GroundStateRun(configuration: config).run()
        let b = try GroundStateRun(configuration: config).run()
        #expect(a.energy == b.energy)
        #expect(a.history.map(\.energy) == b.history.map(\.energy))
        #expect(a.tables == b.tables)
    }
}
