import ArgumentParser
import Foundation
import LinearAlgebra
import Simulation
import SimulationConfig

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Optimise the ansatz, then measure the energy and correlators.",
        discussion: """
            Writes summary.json, energy.csv, correlator_k.csv, correlator_r.csv and \
            checkpoint.json into the run directory (output.directory, or --output).
            """)

    @OptionGroup var options: ConfigOptions

    @Option(name: .long, help: "Run directory; overrides output.directory of the config.")
    var output: String?

    @Option(name: .long, help: "Random seed; overrides seed of the config.")
    var seed: UInt64?

    func run() throws {
        var configuration = try options.load()
        if let output { configuration.output.directory = output }
        if let seed { configuration.seed = seed }
        // BLAS calls here are small (the SR matrix); a second OpenBLAS thread
        // only spins. A user's OPENBLAS_NUM_THREADS still wins.
        if ProcessInfo.processInfo.environment["OPENBLAS_NUM_THREADS"] == nil { setBLASThreads(1) }
        let simulation = Simulation(configuration: configuration)
        let directory = URL(fileURLWithPath: configuration.output.directory)
        let progress = ProgressPrinter()
        do {
            let result = try simulation.run(progress: progress.report)
            try RunWriter.write(result, configuration: configuration, to: directory)
            print(RunReport(result: result, directory: directory.path).text)
        } catch let error as SimulationError {
            printError("nqft run: \(error)")
            throw ExitCode(1)
        }
    }
}
