import Correlators
import Foundation
import Output
import SimulationConfig

/// Writes a run directory (docs/CONVENTIONS.md §3): summary.json, energy.csv,
/// correlator_k.csv, correlator_r.csv and checkpoint.json, each atomically.
public enum RunWriter {
    public static func write(_ result: RunResult, configuration: RunConfiguration, to directory: URL) throws {
        try AtomicFile.write(energyTable(result.history).text, to: directory.appendingPathComponent("energy.csv"))
        let d = configuration.lattice.extent.count
        try AtomicFile.write(
            momentumTable(result.correlators.momentum, dimension: d).text,
            to: directory.appendingPathComponent("correlator_k.csv"))
        try AtomicFile.write(
            positionTable(result.correlators.position, dimension: d).text,
            to: directory.appendingPathComponent("correlator_r.csv"))
        try AtomicFile.write(
            JSONOutput.encode(result.checkpoint, allowingNonFinite: true), to: directory.appendingPathComponent("checkpoint.json"))
        // The summary last: its presence means the run directory is complete.
        try AtomicFile.write(
            JSONOutput.encode(Summary(configuration: configuration, result: result)),
            to: directory.appendingPathComponent("summary.json"))
    }

    /// The outputs of an unfinished run: energy.csv of the steps so far and
    /// checkpoint.json to resume from, each atomically.
    public static func writePartial(_ checkpoint: Checkpoint, to directory: URL) throws {
        try AtomicFile.write(energyTable(checkpoint.history).text, to: directory.appendingPathComponent("energy.csv"))
        try AtomicFile.write(
            JSONOutput.encode(checkpoint, allowingNonFinite: true), to: directory.appendingPathComponent("checkpoint.json"))
    }

    /// The checkpoint in `directory`, written by `write` or `writePartial`.
    ///
    /// - Throws: `FileError` naming the file when it cannot be read or decoded.
    public static func readCheckpoint(in directory: URL) throws -> Checkpoint {
        let file = directory.appendingPathComponent("checkpoint.json")
        guard let data = FileManager.default.contents(atPath: file.path) else {
            throw FileError(path: file.path, reason: "cannot be read")
        }
        do {
            return try JSONOutput.decode(Checkpoint.self, from: data)
        } catch {
            throw FileError(path: file.path, reason: "is not a checkpoint of this nqft (\(error))")
        }
    }

    static func energyTable(_ history: [StepRecord]) -> CSVTable {
        var table = CSVTable(header: ["step", "energy", "error", "variance", "acceptance", "learning_rate", "seconds"])
        for r in history {
            table.append([
                .integer(r.step), .number(r.energy.mean), .number(r.energy.error), .number(r.energy.variance),
                .number(r.acceptance), .number(r.learningRate), .number(r.seconds),
            ])
        }
        return table
    }

    static func momentumTable(_ rows: [MomentumCorrelatorRow], dimension d: Int) -> CSVTable {
        let hasFree = rows.first?.free != nil
        var header = columns("n", d) + columns("k", d) + ["khat2", "G", "G_err", "G_tau_int", "G_c", "G_c_err", "omega_gauss", "omega_gauss_err"]
        if hasFree { header.append("G_free") }
        var table = CSVTable(header: header)
        for r in rows {
            var cells = r.modeNumbers.map(CSVCell.integer) + r.momentum.map(CSVCell.number)
            cells += [
                .number(r.latticeMomentumSquared), .number(r.correlator.mean), .number(r.correlator.error),
                .number(r.correlator.tauInt), .number(r.connected.mean), .number(r.connected.error),
                .number(r.gaussianFrequency.mean), .number(r.gaussianFrequency.error),
            ]
            if let free = r.free { cells.append(.number(free)) }
            table.append(cells)
        }
        return table
    }

    static func positionTable(_ rows: [PositionCorrelatorRow], dimension d: Int) -> CSVTable {
        let hasFree = rows.first?.free != nil
        var table = CSVTable(header: columns("r", d) + ["G", "G_err", "G_tau_int"] + (hasFree ? ["G_free"] : []))
        for r in rows {
            var cells = r.separation.map(CSVCell.integer)
            cells += [.number(r.correlator.mean), .number(r.correlator.error), .number(r.correlator.tauInt)]
            if let free = r.free { cells.append(.number(free)) }
            table.append(cells)
        }
        return table
    }

    /// `prefix_1 ... prefix_d`.
    static func columns(_ prefix: String, _ d: Int) -> [String] { (1...d).map { "\(prefix)_\($0)" } }
}
