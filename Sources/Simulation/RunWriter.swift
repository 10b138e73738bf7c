import Foundation
import Output
import SimulationConfig

/// Writes a run directory (docs/CONVENTIONS.md §3): summary.json, energy.csv,
/// correlator_k.csv, correlator_r.csv and checkpoint.json, each atomically.
public enum RunWriter {
    public static func write(_ result: RunResult, configuration: RunConfiguration, to directory: URL) throws {
        try AtomicFile.write(energyTable(result.history).text, to: directory.appendingPathComponent("energy.csv"))
        for (file, table) in result.tables.sorted(by: { $0.key < $1.key }) {
            try AtomicFile.write(table.text, to: directory.appendingPathComponent(file))
        }
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
}
