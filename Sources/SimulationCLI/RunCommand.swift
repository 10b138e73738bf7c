import ArgumentParser
import Foundation
import LinearAlgebra
import Output
import Parallelism
import RunEngine
import Simulation
import SimulationConfig

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a config of any kind: a ground state, a Euclidean ensemble, a path integral or a network field theory (`mode:`).",
        discussion: """
            Writes the run directory (output.directory, or --output): summary.json \
            (every number with its error, the run's warnings), the kind's CSV tables \
            (energy.csv and correlators for a ground state; correlators, path_integral.csv \
            or training.csv for Euclidean runs; correlator_pairs.csv, four_point.csv, \
            observables.csv for network field theories) and checkpoint.json, which is also \
            written every output.checkpoint_every seconds of wall time (every kind, every \
            stage). A directory that already holds files is refused (exit 2) unless --force \
            (which removes any kind's run files, never others) or --resume; so is a \
            directory another run is using, or one that cannot be written. SIGINT, SIGTERM, \
            SIGHUP, SIGQUIT and SIGUSR1 stop any phase within about a second of work, save \
            the checkpoint, print the command that resumes and exit with 128 + the signal; \
            --resume continues with the same numbers, from wherever the directory is now, \
            after checking the checkpoint (its checksum, its config, its shapes). A run \
            that diverges stops with exit 1, keeping the last good checkpoint. A run whose \
            memory estimate exceeds 80% of this machine's is refused (exit 2). Under mpirun \
            or srun (the MPI build: scripts/setup.sh --mpi) the run is split over the \
            ranks; rank 0 writes the directory (README: Runs over MPI ranks).
            """)

    @OptionGroup var options: ConfigOptions

    @Option(name: .long, help: "Run directory; overrides output.directory of the config.")
    var output: String?

    @Option(name: .long, help: "Random seed (0 to 2^63 - 1); overrides seed of the config.")
    var seed: UInt64?

    @Flag(name: .long, help: "Start afresh in a run directory that holds an old run: its files are removed first.")
    var force = false

    @Flag(name: .long, help: "No progress lines.")
    var quiet = false

    @Option(name: .long, help: "Threads: the chains and the samples are split over them (default: up to 2, this machine's cores). Results do not depend on it.")
    var threads: Int?

    @Flag(name: .long, help: "Continue the run in the run directory from its checkpoint.json.")
    var resume = false

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, not \(threads)") }
        if let seed, seed > UInt64(Int64.max) { throw ValidationError("--seed must be from 0 to \(Int64.max), not \(seed)") }
        if force && resume { throw ValidationError("--force and --resume exclude each other") }
    }

    func run() throws {
        _ = Job.start()
        var description = try options.loadAny()
        if let output { description.output.directory = output }
        if let seed { description.seed = seed }
        try execute(description.makeRun())
    }

    /// Runs any kind of run in `directory`: lock, start or resume, progress,
    /// checkpoints, stop signals, divergence, the files at the end. In a job of
    /// several ranks every rank runs this; rank 0 alone locks and writes the
    /// directory and hands the others its decision and the checkpoint's bytes.
    private func execute<Kind: RunnableKind>(_ kind: Kind) throws {
        let world = Job.world
        try options.preflight(kind, ranks: world.size)
        StopSignal.install()
        let directory = RunDirectory(path: kind.configuration.output.directory)
        var lock: RunLock?
        var status: Int32 = 0
        var checkpointBytes: [UInt8] = []
        if world.rank == 0 {
            do {
                lock = try directory.prepareAndLock()
                checkpointBytes = try startingPoint(kind, in: directory).map(Array.init) ?? []
            } catch let error as ExitCode {
                status = error.rawValue
            } catch {
                printError("nqft run: \(error)")
                status = 2
            }
        }
        defer { lock?.release() }
        status = Int32(world.maximum(Int(status)))
        if status != 0 { throw ExitCode(status) }
        var control = RunControl<Kind.State>()
        let shared = world.broadcast(bytes: checkpointBytes)
        if !shared.isEmpty { control.resume = try checkpoint(of: kind, from: Data(shared), in: directory) }

        let progress = ProgressPrinter()
        if !quiet && world.rank == 0 { control.progress = progress.report }
        let watchdog = CheckpointWatchdog(resumeHint: "; resume with: \(resumeCommand(directory))")
        if let resumed = control.resume { watchdog.saved(kind.position(resumed), in: directory.path) }
        control.checkpointInterval = kind.configuration.output.checkpointEvery
        control.saveCheckpoint = { state in
            guard world.rank == 0 else { return }
            do {
                try kind.writePartial(state, to: directory.url)
            } catch where world.size > 1 {
                // The other ranks are already in the next unit: end the job.
                world.abort(1, "nqft run: rank 0 cannot save the checkpoint: \(error); ending the job")
            }
            watchdog.saved(kind.position(state), in: directory.path)
        }
        control.stop = Job.stopCheck(world)
        control.parallelism = Parallelism(threads: threads ?? Job.defaultThreads(world), ranks: world)
        if world.size > 1 && world.rank == 0 { watchdog.start() }
        if let note = Job.sigkillNote(world) { printError(note) }
        do {
            let final = try kind.execute(control)
            progress.finish()
            guard world.rank == 0 else { return }
            let (report, warnings) = try kind.writeComplete(final, to: directory.url)
            for warning in warnings { printError("warning: \(warning)") }
            print(report)
        } catch RunStopped<Kind.State>.interrupted(let state) {
            // Every rank is here: the stop check is collective.
            progress.finish()
            let signal = Job.agreedSignal(world)
            if world.rank == 0 {
                try save(state, of: kind, in: directory)
                printError(
                    "\nnqft run: stopped by signal \(signal) \(kind.position(state)); its checkpoint"
                        + " is in \(directory.path)\nresume with: \(resumeCommand(directory))")
            }
            throw ExitCode(128 + signal)
        } catch RunStopped<Kind.State>.diverged(let stage, let detail, let lastGood) {
            progress.finish()
            printError("nqft run: the \(stage) stage diverged (\(kind.position(lastGood))): \(detail)")
            if world.rank == 0 { try save(lastGood, of: kind, in: directory) }
            printError("nqft run: the last good state is in \(directory.path)/checkpoint.json")
            throw ExitCode(1)
        } catch let error as RunError {
            progress.finish()
            printError("nqft run: \(error)")
            if case .checkpointMismatch = error { throw ExitCode(2) }
            throw ExitCode(1)
        } catch let error as FileError {
            progress.finish()
            printError("nqft run: cannot write \(error)")
            throw ExitCode(1)
        }
    }

    /// The checkpoint's bytes to resume from (checked against this run), or nil
    /// for a fresh run; refuses (exit 2) a directory that holds files unless
    /// --force (which removes the old run's). Either way summary.json goes
    /// first: it marks a complete directory only.
    private func startingPoint<Kind: RunnableKind>(_ kind: Kind, in directory: RunDirectory) throws -> Data? {
        let existing = directory.contents()
        if resume {
            guard existing.contains(CheckpointFile.name) else {
                printError("nqft run: --resume needs \(directory.path)/\(CheckpointFile.name), which does not exist")
                throw ExitCode(2)
            }
            let data = try directory.checkpointData()
            _ = try checkpoint(of: kind, from: data, in: directory)  // a mismatch leaves the directory as it is
            try directory.remove(SummaryFile.name)
            return data
        }
        if !existing.isEmpty && !force {
            printError(
                "nqft run: \(directory.path) already holds \(existing.prefix(5).joined(separator: ", "))"
                    + "\(existing.count > 5 ? ", ..." : ""); pass --force to start afresh there (the old run's files are"
                    + " removed), --resume to continue it, or choose another --output")
            throw ExitCode(2)
        }
        try directory.removeRunFiles()
        return nil
    }

    /// The checkpoint's state, checked whole and against `kind` (exit 2 naming what is wrong).
    private func checkpoint<Kind: RunnableKind>(of kind: Kind, from data: Data, in directory: RunDirectory) throws -> Kind.State {
        do {
            return try kind.decodeCheckpoint(data, path: directory.url.appendingPathComponent(CheckpointFile.name).path)
        } catch let error as RunError {
            printError("nqft run: \(error)")
            throw ExitCode(2)
        }
    }

    /// Writes a stopped run's state; a failure here is reported, never silent.
    private func save<Kind: RunnableKind>(_ state: Kind.State, of kind: Kind, in directory: RunDirectory) throws {
        do {
            try kind.writePartial(state, to: directory.url)
        } catch {
            printError("nqft run: cannot save the checkpoint: \(error)")
            throw ExitCode(1)
        }
    }

    /// The command that continues this run, shell-quoted, with absolute paths
    /// (it works from any working directory).
    private func resumeCommand(_ directory: RunDirectory) -> String {
        let launcher = Job.world.size > 1 ? ["mpirun", "-np", "\(Job.world.size)"] : []
        var words = launcher + [executablePath(), "run", URL(fileURLWithPath: options.config).standardizedFileURL.path,
                     "--output", directory.path, "--resume"]
        if let seed { words += ["--seed", "\(seed)"] }
        return words.map(shellQuoted).joined(separator: " ")
    }
}

/// `arguments[0]` as typed when the shell found it on PATH, else absolute.
func executablePath() -> String {
    let typed = CommandLine.arguments.first ?? "nqft"
    guard typed.contains("/") else { return typed }
    return URL(fileURLWithPath: typed).standardizedFileURL.path
}

/// `word` as one POSIX shell word: unchanged when it holds only safe
/// characters, else in single quotes (a quote inside as '\'').
func shellQuoted(_ word: String) -> String {
    let safe = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./=:+,@%")
    if !word.isEmpty && word.allSatisfy(safe.contains) { return word }
    return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
}
