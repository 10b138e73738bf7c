import Correlators
import ExactDiagonalization
import Execution
import Foundation
import FourierTransform
import Lattice
import Output
import SimulationConfig

/// Exact reference values for a config's theory (docs/CONVENTIONS.md §4):
/// - the free theory (lambda = 0), any lattice: `E0 = 1/2 sum_k omega_k`,
///   `<phi^2>`, `G(k) = 1/(2 omega_k)` and `G(r)`;
/// - an interacting theory on at most 4 sites: `E0` and `G(r)` by exact
///   diagonalisation of the truncated Hamiltonian, with the truncation's
///   convergence record.
public struct ExactReference: Sendable {
    public let lattice: Lattice
    public let theory: ScalarTheory
    /// The ground-state energy.
    public let energy: Double
    /// How `energy` was obtained.
    public let method: String
    /// Exact diagonalisation's energies per truncation (empty for the free theory).
    public let convergence: [ExactDiagonalization.Step]
    public let converged: Bool
    /// `G(r) = (1/V) sum_x <phi_x phi_{x+r}>` of the ground state, per separation
    /// (indexed like the sites); `<M^2>/V = sum_r G(r)`.
    public let correlator: [Double]

    /// Whether a reference can be computed for this theory.
    public static func isAvailable(for theory: ScalarTheory) -> Bool {
        theory.isFree || ExactDiagonalization.canSolve(theory.lattice)
    }

    /// - Throws: `RunError.noExactReference` when neither route applies;
    ///   `Interrupted` or `WorkBudgetExceeded` from exact diagonalisation.
    public init(theory: ScalarTheory, stop: StopCheck = .never, workBudget: Double = .infinity) throws {
        self.theory = theory
        lattice = theory.lattice
        if theory.isFree {
            energy = FreeTheory(lattice: lattice, massSquared: theory.massSquared).groundStateEnergy
            method = "free theory: E0 = 1/2 sum_k omega_k"
            convergence = []
            converged = true
            correlator = positionSpace(
                FreeTheory(lattice: lattice, massSquared: theory.massSquared).momentumCorrelator,
                fft: RealFFT(extent: lattice.extent))
        } else if ExactDiagonalization.canSolve(lattice) {
            let result = try ExactDiagonalization(theory: theory).solve(stop: stop, workBudget: workBudget)
            energy = result.energy
            let n = result.steps.last!.statesPerSite
            method = "exact diagonalization: \(n) anharmonic-oscillator states per site, "
                + (result.converged ? "converged to 1e-10 relative" : "NOT converged to 1e-10 (largest basis reached)")
            convergence = result.steps
            converged = result.converged
            correlator = result.correlator
        } else {
            throw RunError.noExactReference(
                "lambda = \(theory.coupling) on \(lattice.volume) sites; exact values exist for the free theory"
                    + " and, by exact diagonalization, for at most 4 sites")
        }
    }

    public var energyReference: EnergyReference {
        EnergyReference(energy: energy, method: method, correlator: correlator)
    }

    struct Values: Encodable {
        var method: String
        var extent: [Int]
        var sites: Int
        var m2: Double
        var lambda: Double
        var energy: Double
        var perSite: Double
        var fieldSquared: Double
        var chi2: Double
        var converged: Bool
        var convergence: [ExactDiagonalization.Step]
        enum CodingKeys: String, CodingKey {
            case method, extent, sites, m2, lambda, energy, converged, convergence, chi2
            case perSite = "per_site", fieldSquared = "phi2"
        }
    }

    private var free: FreeTheory? {
        theory.isFree ? FreeTheory(lattice: lattice, massSquared: theory.massSquared) : nil
    }

    var values: Values {
        Values(
            method: method, extent: lattice.extent, sites: lattice.volume, m2: theory.massSquared,
            lambda: theory.coupling, energy: energy, perSite: energy / Double(lattice.volume),
            fieldSquared: correlator[0], chi2: correlator.reduce(0, +), converged: converged, convergence: convergence)
    }

    /// Writes exact.json, correlator_r.csv (r, G) and, for the free theory,
    /// correlator_k.csv (n, k, khat2, omega, G), each atomically.
    public func write(to directory: URL) throws {
        let d = lattice.dimension
        if let free {
            let omega = free.frequencies, g = free.momentumCorrelator
            var k = CSVTable(header: CSVTable.columns("n", d) + CSVTable.columns("k", d) + ["khat2", "omega", "G"])
            for i in 0..<lattice.volume {
                k.append(
                    lattice.modeNumbers(ofMomentum: i).map(CSVCell.integer) + lattice.momentum(i).map(CSVCell.number)
                        + [.number(lattice.latticeMomentumSquared(i)), .number(omega[i]), .number(g[i])])
            }
            try AtomicFile.write(k.text, to: directory.appendingPathComponent("correlator_k.csv"))
        }
        var r = CSVTable(header: CSVTable.columns("r", d) + ["G"])
        for (i, value) in correlator.enumerated() {
            r.append(lattice.separation(i).map(CSVCell.integer) + [.number(value)])
        }
        try AtomicFile.write(r.text, to: directory.appendingPathComponent("correlator_r.csv"))
        try AtomicFile.write(JSONOutput.encode(values), to: directory.appendingPathComponent("exact.json"))
    }

    /// A human-readable summary.
    public var report: String {
        var lines = [
            "exact ground state (\(method))",
            "  lattice  \(lattice.extent.map(String.init).joined(separator: "x")) (\(lattice.volume) sites), m2 = \(theory.massSquared), lambda = \(theory.coupling)",
            "  E0       \(energy)",
            "  E0/V     \(energy / Double(lattice.volume))",
        ]
        lines.append("  <phi^2>  \(correlator[0])")
        lines.append("  <M^2>/V  \(correlator.reduce(0, +))")
        for step in convergence { lines.append("  n = \(step.statesPerSite) per site: E0 = \(step.energy)") }
        return lines.joined(separator: "\n")
    }
}
