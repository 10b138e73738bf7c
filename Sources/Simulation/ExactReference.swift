import Correlators
import Foundation
import FourierTransform
import Lattice
import Output
import SimulationConfig

/// Exact reference values for a config's theory: for the free theory the ground
/// state energy `E0 = 1/2 sum_k omega_k`, `<phi^2>`, `G(k) = 1/(2 omega_k)` and
/// `G(r)` (DESIGN §1).
public struct ExactReference: Sendable {
    public let lattice: Lattice
    public let free: FreeTheory

    /// - Throws: `SimulationError.noExactReference` for an interacting theory.
    public init(configuration: RunConfiguration) throws {
        guard configuration.theory.lambda == 0 else {
            throw SimulationError.noExactReference(
                "lambda = \(configuration.theory.lambda); only the free theory (lambda = 0) is solved exactly so far")
        }
        lattice = Lattice(extent: configuration.lattice.extent)
        free = FreeTheory(lattice: lattice, massSquared: configuration.theory.m2)
    }

    struct Values: Encodable {
        var method: String
        var extent: [Int]
        var sites: Int
        var m2: Double
        var energy: Double
        var perSite: Double
        var fieldSquared: Double
        enum CodingKeys: String, CodingKey {
            case method, extent, sites, m2, energy
            case perSite = "per_site", fieldSquared = "phi2"
        }
    }

    var values: Values {
        let e0 = free.groundStateEnergy
        return Values(
            method: "free theory: E0 = 1/2 sum_k omega_k", extent: lattice.extent, sites: lattice.volume,
            m2: free.massSquared, energy: e0, perSite: e0 / Double(lattice.volume), fieldSquared: free.fieldSquared)
    }

    /// Writes exact.json, correlator_k.csv (n, k, khat2, omega, G) and
    /// correlator_r.csv (r, G) into `directory`, each atomically.
    public func write(to directory: URL) throws {
        let d = lattice.dimension
        let omega = free.frequencies, g = free.momentumCorrelator
        var k = CSVTable(header: RunWriter.columns("n", d) + RunWriter.columns("k", d) + ["khat2", "omega", "G"])
        for i in 0..<lattice.volume {
            k.append(
                lattice.modeNumbers(ofMomentum: i).map(CSVCell.integer) + lattice.momentum(i).map(CSVCell.number)
                    + [.number(lattice.latticeMomentumSquared(i)), .number(omega[i]), .number(g[i])])
        }
        var r = CSVTable(header: RunWriter.columns("r", d) + ["G"])
        for (i, value) in positionSpace(g, fft: RealFFT(extent: lattice.extent)).enumerated() {
            r.append(lattice.separation(i).map(CSVCell.integer) + [.number(value)])
        }
        try AtomicFile.write(k.text, to: directory.appendingPathComponent("correlator_k.csv"))
        try AtomicFile.write(r.text, to: directory.appendingPathComponent("correlator_r.csv"))
        try AtomicFile.write(JSONOutput.encode(values), to: directory.appendingPathComponent("exact.json"))
    }

    /// A human-readable summary.
    public var report: String {
        let v = values
        return """
            exact ground state (\(v.method))
              lattice  \(v.extent.map(String.init).joined(separator: "x")) (\(v.sites) sites), m2 = \(v.m2)
              E0       \(v.energy)
              E0/V     \(v.perSite)
              <phi^2>  \(v.fieldSquared)
            """
    }
}
