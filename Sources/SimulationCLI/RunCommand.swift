import ArgumentParser
import Foundation
import LinearAlgebra
import Output
import Simulation
import SimulationConfig

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Optimise the ansatz, then measure the energy and correlators.",
        discussion: """
            Writes summary.json, energy.csv, correlator_k.csv, correlator_r.csv and \
            checkpoint.json into the run directory (output.directory, or --output). A \
            directory that already holds files is refused (exit 2) unless --force. A run \
            that diverges stops with exit 1 and writes only checkpoint.json, the last \
            good state.
            """)

    @OptionGroup var options: ConfigOptions

    @Option(name: .long, help: "Run directory; overrides output.directory of the config.")
    var output: String?

    @Option(name: .long, help: "Random seed; overrides seed of the config.")
    var seed: UInt64?

    @Flag(name: .long, help: "Overwrite the files of an existing, non-empty run directory.")
    var force = false

    @Flag(name: .long, help: "No progress lines.")
    var quiet = false

    func run() throws {
        var configuration = try options.load()
        if let output { configuration.output.directory = output }
        if let seed { configuration.seed = seed }
        // BLAS calls here are small (the SR matrix); a second OpenBLAS thread
        // only spins. A user's OPENBLAS_NUM_THREADS still wins.
        if ProcessInfo.processInfo.environment["OPENBLAS_NUM_THREADS"] == nil { setBLASThreads(1) }
        let directory = URL(fileURLWithPath: configuration.output.directory)
        let existing = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        if !existing.isEmpty && !force {
            printError(
                "nqft run: \(directory.path) already holds \(existing.sorted().prefix(5).joined(separator: ", "))"
                    + "\(existing.count > 5 ? ", ..." : ""); pass --force to overwrite it, or choose another --output")
            throw ExitCode(2)
        }
        let simulation = Simulation(configuration: configuration)
        let progress = ProgressPrinter()
        do {
            let result = try simulation.run(progress: quiet ? { _, _ in } : progress.report)
            try RunWriter.write(result, configuration: configuration, to: directory)
            print(RunReport(result: result, directory: directory.path).text)
        } catch let error as SimulationError {
            printError("nqft run: \(error)")
            if case .diverged(_, _, let lastGood?) = error {
                let url = directory.appendingPathComponent("checkpoint.json")
                try AtomicFile.write(JSONOutput.encode(lastGood), to: url)
                printError("nqft run: the last good state (step \(lastGood.step)) is in \(url.path)")
            }
            throw ExitCode(1)
        }
    }
}
