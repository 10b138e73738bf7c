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
            checkpoint.json into the run directory (output.directory, or --output), \
            checkpoint.json and energy.csv also every output.checkpoint_every steps. A \
            directory that already holds files is refused (exit 2) unless --force or \
            --resume. SIGINT/SIGTERM finish the current step, save the checkpoint and exit \
            130/143; --resume continues with the same numbers. A run that diverges stops \
            with exit 1, keeping the last good checkpoint.
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

    @Option(name: .long, help: "Threads: the chains and the samples are split over them (default: up to 2, this machine's cores). Results reproduce for a fixed thread count.")
    var threads: Int?

    @Flag(name: .long, help: "Continue the run in the run directory from its checkpoint.json.")
    var resume = false

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, not \(threads)") }
        if force && resume { throw ValidationError("--force and --resume exclude each other") }
    }

    func run() throws {
        var configuration = try options.load()
        if let output { configuration.output.directory = output }
        if let seed { configuration.seed = seed }
        _ = try options.checkMemory(configuration)
        setThreads(threads ?? min(2, ProcessInfo.processInfo.activeProcessorCount))
        let directory = URL(fileURLWithPath: configuration.output.directory)
        let existing = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        var control = RunControl()
        if resume {
            guard existing.contains("checkpoint.json") else {
                printError("nqft run: --resume needs \(directory.path)/checkpoint.json, which does not exist")
                throw ExitCode(2)
            }
            control.resume = try RunWriter.readCheckpoint(in: directory)
        } else if !existing.isEmpty && !force {
            printError(
                "nqft run: \(directory.path) already holds \(existing.sorted().prefix(5).joined(separator: ", "))"
                    + "\(existing.count > 5 ? ", ..." : ""); pass --force to overwrite it, --resume to continue it,"
                    + " or choose another --output")
            throw ExitCode(2)
        }
        let simulation = Simulation(configuration: configuration)
        let progress = ProgressPrinter()
        if !quiet { control.progress = progress.report }
        control.checkpointEvery = configuration.output.checkpointEvery
        control.saveCheckpoint = { try RunWriter.writePartial($0, to: directory) }
        StopSignal.install()
        control.shouldStop = { StopSignal.received != 0 }
        do {
            let result = try simulation.run(control)
            try RunWriter.write(result, configuration: configuration, to: directory)
            print(RunReport(result: result, directory: directory.path).text)
        } catch SimulationError.interrupted(let checkpoint) {
            try RunWriter.writePartial(checkpoint, to: directory)
            let signal = StopSignal.received
            printError(
                "\nnqft run: stopped by signal \(signal) after step \(checkpoint.step); checkpoint.json and energy.csv"
                    + " are in \(directory.path)\nresume with: nqft run \(options.config) --output \(directory.path) --resume"
                    + (seed.map { " --seed \($0)" } ?? ""))
            throw ExitCode(128 + signal)
        } catch let error as SimulationError {
            printError("nqft run: \(error)")
            if case .diverged(_, _, let lastGood?) = error {
                try RunWriter.writePartial(lastGood, to: directory)
                printError("nqft run: the last good state (step \(lastGood.step)) is in \(directory.path)/checkpoint.json")
            }
            if case .checkpointMismatch = error { throw ExitCode(2) }
            throw ExitCode(1)
        }
    }
}
