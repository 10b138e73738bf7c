import Foundation
import Simulation
import SimulationConfig
import Testing
import TestSupport

/// Validation ladder steps 2 and 3 (docs/CONVENTIONS.md §4): neural ansätze on small
/// interacting systems against exact diagonalisation. VMC is variational, so
/// the energy may not lie below the exact value by more than its error allows.
@Suite struct InteractingValidationTests {
    static let cases: [(kind: String, extent: [Int], m2: Double, lambda: Double, seed: UInt64)] = [
        ("gaussian-mlp", [1], 1, 24, 1), ("symmetric", [2], 0.5, 12, 2), ("gaussian-mlp", [2, 2], -0.3, 18, 3),
    ]

    @Test(arguments: cases)
    func neuralRunIsVariationalAndClose(kind: String, extent: [Int], m2: Double, lambda: Double, seed: UInt64) throws {
        let config = try GroundStateConfiguration.parse(
            yaml: """
                seed: \(seed)
                lattice: {extent: \(extent)}
                theory: {m2: \(m2), lambda: \(lambda)}
                ansatz: {kind: \(kind), hidden: [16]}
                sampler: {kind: metropolis, chains: 16, thermalization: 100, sweep: \(4 * extent.reduce(1, *))}
                optimizer: {steps: 200, samples: 512, learning_rate: 0.05, diag_shift: 1.0e-3, diag_shift_final: 1.0e-4}
                evaluation: {samples: 16384}
                """, defaultName: "interacting")
        let result = try GroundStateRun(configuration: config).run()
        let reference = try #require(result.reference)
        #expect(reference.method.contains("exact diagonalization"))
        let e = result.energy
        // Variational bound, allowing 4 standard errors.
        #expect(e.mean > reference.energy - 4 * e.error, "seed \(seed): \(e.mean) +- \(e.error) vs \(reference.energy)")
        // A capability bar for this short run (not a statistical tolerance):
        // within 1e-3 relative of the exact energy.
        #expect(abs(e.mean - reference.energy) < 1e-3 * abs(reference.energy), "seed \(seed): \(e.mean) vs \(reference.energy)")
        // The Gaussian stage of the same run (100 steps by default) is measured: it
        // is variational too, the network is not worse (4 combined errors), and its
        // local-energy variance is at least 10 times smaller (a capability bar).
        let gaussian = try #require(result.gaussianBaseline).energy
        #expect(gaussian.mean > reference.energy - 4 * gaussian.error)
        #expect(gaussian.mean - e.mean > -4 * (gaussian.error * gaussian.error + e.error * e.error).squareRoot(), "seed \(seed)")
        #expect(gaussian.variance > 10 * e.variance, "seed \(seed): \(gaussian.variance) vs \(e.variance)")
    }

    /// A deep double well (on-site barrier 0.75, minima at phi = +-1.73) with the
    /// superposition e^F(phi) + e^F(-phi), started from the plain Gaussian's
    /// single peak at 0: the energy, G(r) at every separation and <M^2>/V against
    /// exact diagonalisation's ground state, within 4 errors each.
    @Test func doubleWellAgreesWithExactDiagonalisation() throws {
        let config = try GroundStateConfiguration.parse(
            yaml: """
                seed: 4
                lattice: {extent: [4]}
                theory: {m2: -1, lambda: 2}
                ansatz: {kind: symmetric, hidden: [16], kernel: 4, symmetrize: superposition}
                sampler: {kind: metropolis, chains: 16, thermalization: 100, sweep: 8}
                optimizer: {steps: 300, samples: 1024, learning_rate: 0.1, learning_rate_final: 0.03, diag_shift: 1.0e-3, diag_shift_final: 1.0e-5}
                evaluation: {samples: 65536}
                """, defaultName: "double-well")
        let result = try GroundStateRun(configuration: config).run()
        let reference = try #require(result.reference)
        let e = result.energy
        #expect(e.mean > reference.energy - 4 * e.error, "\(e.mean) +- \(e.error) vs \(reference.energy)")
        // A capability bar for this short run (2.3e-5 measured; the bundled
        // config's schedule reaches 8e-7).
        #expect(abs(e.mean - reference.energy) < 5e-5 * abs(reference.energy), "\(e.mean) vs \(reference.energy)")
        let exact = try #require(reference.correlator)
        let table = try #require(result.tables["correlator_r.csv"])
        let g = try #require(table.column("G")).compactMap(Double.init)
        let errors = try #require(table.column("G_err")).compactMap(Double.init)
        for r in exact.indices {
            #expect(abs(g[r] - exact[r]) < 4 * errors[r], "G(\(r)) = \(g[r]) +- \(errors[r]) vs \(exact[r])")
        }
        let chi2 = try #require(result.orderParameter["chi2"])
        let exactChi2 = try #require(reference.chi2)
        #expect(abs(chi2.mean - exactChi2) < 4 * chi2.error, "<M^2>/V = \(chi2.mean) +- \(chi2.error) vs \(exactChi2)")
    }
}
