import Foundation
import Parallelism
import Testing
import TestSupport

/// Every kind of run over Open MPI ranks, end to end on the MPI build of the
/// release binary (`swift test --traits MPI`, what scripts/test.sh runs when
/// Open MPI can be installed): 2 and 3 ranks (oversubscribed on a 2-core
/// machine) give the single process's numbers bit for bit; a SIGTERM to the
/// launcher saves a checkpoint that the printed command resumes to the
/// uninterrupted numbers; a rank killed mid-run ends the job with a message
/// naming it and the last checkpoint, from which the run resumes.
@Suite(
    .enabled(if: BuiltBinary.isBuilt && Communicator.isAvailable && MPILauncher.isInstalled, "needs the MPI release build and mpirun"),
    .serialized)
struct MPIRunTests {
    /// Tiny configs of every mode (seconds each). The ground states have 48
    /// chains: six groups of 8, so up to 6 ranks give one process's numbers; one
    /// evaluates to an error target in rounds, one uses the superposition ansatz.
    static let configs: [String: String] = [
        "ground-state-sr": """
            seed: 2
            lattice: {extent: [6]}
            theory: {m2: 1.0, lambda: 2.0}
            ansatz: {kind: gaussian-mlp, hidden: [16]}
            sampler: {kind: metropolis, chains: 48, thermalization: 50}
            optimizer: {kind: sr, steps: 8, samples: 3072, learning_rate: 0.05}
            evaluation: {samples: 4800, target_relative_error: 1.0e-4}
            """,
        // P > 512 and N > 512: conjugate gradients with the K-FAC preconditioner.
        "ground-state-cg": """
            seed: 3
            lattice: {extent: [6]}
            theory: {m2: 1.0, lambda: 2.0}
            ansatz: {kind: gaussian-mlp, hidden: [96]}
            sampler: {kind: metropolis, chains: 48, thermalization: 50}
            optimizer: {kind: sr, steps: 5, samples: 3072, learning_rate: 0.05}
            evaluation: {samples: 4800}
            """,
        // P > N: the sample-space (MinSR) solve.
        "ground-state-minsr": """
            seed: 4
            lattice: {extent: [6]}
            theory: {m2: 1.0, lambda: 2.0}
            ansatz: {kind: gaussian-mlp, hidden: [64], symmetrize: superposition}
            sampler: {kind: metropolis, chains: 48, thermalization: 50}
            optimizer: {kind: sr, steps: 5, samples: 480, learning_rate: 0.05}
            evaluation: {samples: 4800}
            """,
        "euclidean-hmc": """
            mode: euclidean
            seed: 5
            lattice: {extent: [6, 6]}
            theory: {convention: flow, m2: -4.0, lambda: 8.0}
            sampler: {kind: hmc, chains: 5, thermalization: 40, integrator: omelyan, trajectory_length: 1.0}
            measurement: {samples: 2000, every: 2}
            """,
        "euclidean-flow": """
            mode: euclidean
            seed: 6
            lattice: {extent: [4, 4]}
            theory: {convention: flow, m2: -4.0, lambda: 8.0}
            sampler: {kind: flow, chains: 8, thermalization: 20, hmc_trajectories: 1}
            flow: {layers: 4, hidden: [8], kernel: 3, steps: 60, batch: 96, learning_rate: 0.001}
            measurement: {samples: 4096}
            """,
        "path-integral": """
            mode: path-integral
            seed: 7
            lattice: {extent: [4]}
            theory: {m2: 1.0, lambda: 24.0}
            path_integral: {spacings: [0.2, 0.15, 0.1], beta: 2.0}
            sampler: {chains: 6, thermalization: 50, integrator: omelyan, trajectory_length: 1.0}
            measurement: {samples: 3000}
            """,
        "nnft-ensemble": """
            mode: nnft
            seed: 8
            network: {activation: erf, width: [2, 20]}
            lattice: {extent: [4], spacing: 0.25}
            ensemble: {networks: 40000, batch: 1000}
            """,
        "nnft-phi4": """
            mode: nnft
            seed: 9
            network: {activation: cos, width: [10, 40]}
            lattice: {extent: [4, 4]}
            theory: {m2: 0.5, lambda: 6.0}
            ensemble: {networks: 600, chains: 6, thermalization: 20}
            reference: {samples: 6000, chains: 6, thermalization: 50}
            """,
    ]

    /// Each mode: one process (1 thread), 2 ranks x 1 thread and 3 ranks x 2
    /// threads write the same numbers in every file (times and the directory aside).
    @Test(arguments: configs.keys.sorted())
    func ranksGiveTheSingleProcessNumbers(_ mode: String) throws {
        let config = try writeConfig(try #require(Self.configs[mode]))
        let single = try temporaryDirectory().appendingPathComponent("single")
        let one = try BuiltBinary.run(["run", config.path, "--output", single.path, "--threads", "1"])
        #expect(one.status == 0, "\(one.standardError)")
        for (ranks, threads) in [(2, 1), (3, 2)] {
            let out = try temporaryDirectory().appendingPathComponent("ranks\(ranks)")
            let run = try MPILauncher.run(ranks: ranks, ["run", config.path, "--output", out.path, "--threads", "\(threads)"])
            #expect(run.status == 0, "\(run.standardError)")
            try expectSameResults(single, out)
        }
    }

    /// A ground-state run long enough to be stopped mid-optimisation.
    static let long = """
        seed: 11
        lattice: {extent: [6]}
        theory: {m2: 1.0, lambda: 2.0}
        ansatz: {kind: gaussian-mlp, hidden: [16]}
        sampler: {kind: metropolis, chains: 48, thermalization: 50}
        optimizer: {kind: sr, steps: 1200, samples: 1536, learning_rate: 0.05}
        evaluation: {samples: 4800}
        output: {checkpoint_every: 0.5}
        """

    /// A stop signal to mpirun mid-optimisation — SIGTERM (passed on after
    /// odls_base_sigkill_timeout, 5 s here, the ranks killed as long after) or
    /// SIGUSR1 (passed at once): every rank stops at the same step, rank 0 saves
    /// the checkpoint and prints the command that resumes; that command (as
    /// printed, with its mpirun) finishes the run, and every file equals an
    /// uninterrupted single-process run's.
    @Test(arguments: [SIGTERM, SIGUSR1])
    func aStopSignalToTheLauncherCheckpointsAndResumes(_ signal: Int32) throws {
        let config = try writeConfig(Self.long)
        let out = try temporaryDirectory().appendingPathComponent("stopped")
        let job = try MPILauncher.start(ranks: 2, ["run", config.path, "--output", out.path, "--threads", "1"])
        #expect(job.waitFor("optimisation 0/1200"))
        Thread.sleep(forTimeInterval: 1.5)
        job.send(signal)
        let (status, _) = job.wait()
        let text = job.standardError
        #expect(status != 0 && text.contains("stopped by signal \(signal) after optimisation step"), "\(text)")
        let command = try #require(text.split(separator: "\n").first { $0.hasPrefix("resume with: ") }).dropFirst("resume with: ".count)
        #expect(command.hasPrefix("mpirun -np 2 "), "\(command)")
        let resumed = try MPILauncher.shell(String(command) + " --threads 1")
        #expect(resumed.status == 0, "\(resumed.standardError)")

        let reference = try temporaryDirectory().appendingPathComponent("reference")
        let whole = try BuiltBinary.run(["run", config.path, "--output", reference.path, "--threads", "2"])
        #expect(whole.status == 0)
        try expectSameResults(reference, out)
    }

    /// Rank 1 killed (SIGKILL) mid-run: the job ends with an error, the
    /// launcher names rank 1, rank 0 names the last checkpoint and the command
    /// that resumes; resumed on 3 ranks, the run ends with the uninterrupted numbers.
    @Test func aKilledRankEndsTheJobAndTheLastCheckpointResumes() throws {
        let config = try writeConfig(Self.long)
        let out = try temporaryDirectory().appendingPathComponent("crashed")
        let job = try MPILauncher.start(ranks: 2, ["run", config.path, "--output", out.path, "--threads", "1"])
        #expect(job.waitFor("optimisation 0/1200"))
        Thread.sleep(forTimeInterval: 2)
        let victim = try #require(MPILauncher.rankProcess(1, of: job.process.processIdentifier))
        kill(victim, SIGKILL)
        let (status, _) = job.wait()
        let text = job.standardError
        #expect(status != 0)
        #expect(text.contains("rank 1") && text.contains("exited on signal 9"), "\(text)")
        #expect(text.contains("the last checkpoint, after optimisation step") && text.contains(out.path), "\(text)")
        #expect(entries(out).contains("checkpoint.json") && !entries(out).contains("summary.json"))

        let resumed = try MPILauncher.run(ranks: 3, ["run", config.path, "--output", out.path, "--resume", "--threads", "1"])
        #expect(resumed.status == 0, "\(resumed.standardError)")
        let reference = try temporaryDirectory().appendingPathComponent("reference")
        #expect(try BuiltBinary.run(["run", config.path, "--output", reference.path]).status == 0)
        try expectSameResults(reference, out)
    }

    /// Refusals reach every rank: a bad config, an occupied directory and fewer
    /// chains than ranks end the job with exit 2 and one message (rank 0's),
    /// not one per rank.
    @Test func refusalsEndEveryRankWithOneMessage() throws {
        let bad = try writeConfig("seed: 1\nlattice: {extent: [0]}\ntheory: {m2: 1.0, lambda: 0.0}\n")
        let refused = try MPILauncher.run(ranks: 2, ["run", bad.path])
        #expect(refused.status == 2, "\(refused.standardError)")
        let occupied = try temporaryDirectory()
        try "x".write(to: occupied.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
        let config = try writeConfig(try #require(Self.configs["nnft-ensemble"]))
        let again = try MPILauncher.run(ranks: 2, ["run", config.path, "--output", occupied.path])
        #expect(again.status == 2)
        #expect(again.standardError.components(separatedBy: "already holds").count == 2, "\(again.standardError)")
        // A ground state needs a chain on every rank.
        let few = try writeConfig(try #require(Self.configs["ground-state-sr"]).replacingOccurrences(of: "chains: 48", with: "chains: 2"))
        let idle = try MPILauncher.run(ranks: 3, ["run", few.path, "--output", try temporaryDirectory().appendingPathComponent("few").path])
        #expect(idle.status == 2 && idle.standardError.contains("sampler.chains: 2 is fewer than the 3 MPI ranks"), "\(idle.standardError)")
    }
}

/// mpirun, started the way a test on this machine needs it: as root if the
/// tests run as root, oversubscribed (more ranks than cores), and with 5 s for
/// a stopped job to save (odls_base_sigkill_timeout: mpirun waits that long
/// before it passes a SIGTERM on, and as long again before SIGKILL).
enum MPILauncher {
    static let environment = [
        "OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1", "OMPI_MCA_rmaps_base_oversubscribe": "1",
        "OMPI_MCA_odls_base_sigkill_timeout": "5",
    ]
    static let path = "/usr/bin/mpirun"
    static var isInstalled: Bool { FileManager.default.isExecutableFile(atPath: path) }

    /// Foundation's `Process` starts children with every signal blocked; nqft
    /// unblocks its own, but mpirun does not, so it is started through a
    /// one-line exec that clears the mask (as a shell's child has it clear).
    static func start(ranks: Int, _ arguments: [String]) throws -> BuiltBinary {
        let unblocked = "import os, signal, sys; signal.pthread_sigmask(signal.SIG_SETMASK, []); os.execv(sys.argv[1], sys.argv[1:])"
        return try BuiltBinary(
            ["python3", "-c", unblocked, path, "-np", "\(ranks)", BuiltBinary.path] + arguments, executable: "/usr/bin/env",
            environment: environment)
    }

    static func run(ranks: Int, _ arguments: [String]) throws -> (status: Int32, standardError: String) {
        let job = try start(ranks: ranks, arguments)
        let status = job.wait().status
        return (status, job.standardError)
    }

    /// Runs a printed command line through /bin/sh, as a user would paste it.
    static func shell(_ command: String) throws -> (status: Int32, standardError: String) {
        let job = try BuiltBinary(["-c", command], executable: "/bin/sh", environment: environment)
        let status = job.wait().status
        return (status, job.standardError)
    }

    /// The process of `rank` among the launcher's children (its environment names the rank).
    static func rankProcess(_ rank: Int, of launcher: Int32) -> Int32? {
        let children = (try? String(contentsOfFile: "/proc/\(launcher)/task/\(launcher)/children", encoding: .utf8)) ?? ""
        return children.split(separator: " ").compactMap { Int32($0) }.first { pid in
            let environ = (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/environ"))) ?? Data()
            return environ.split(separator: 0).contains { String(decoding: $0, as: UTF8.self) == "OMPI_COMM_WORLD_RANK=\(rank)" }
        }
    }
}

/// Every file of run directory `a` is in `b` with the same numbers: CSV columns
/// and JSON keys that hold wall times (named "...second...") and the run
/// directory itself are left out; everything else must be equal as text.
func expectSameResults(_ a: URL, _ b: URL, sourceLocation: SourceLocation = #_sourceLocation) throws {
    func strip(_ value: Any) -> Any {
        if let object = value as? [String: Any] {
            // The checkpoint's checksum covers its times too.
            return object.filter { !$0.key.contains("second") && $0.key != "directory" && $0.key != "checksum" }.mapValues(strip)
        }
        if let array = value as? [Any] { return array.map(strip) }
        return value
    }
    func csv(_ url: URL) throws -> [[String]] {
        let rows = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map {
            $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        }
        let keep = rows.first.map { $0.indices.filter { i in !rows[0][i].contains("second") } } ?? []
        return rows.map { row in keep.map { $0 < row.count ? row[$0] : "" } }
    }
    let files = entries(a).filter { $0.hasSuffix(".csv") || $0.hasSuffix(".json") }
    #expect(!files.isEmpty, sourceLocation: sourceLocation)
    for file in files.sorted() {
        let (x, y) = (a.appendingPathComponent(file), b.appendingPathComponent(file))
        if file.hasSuffix(".csv") {
            #expect(try csv(x) == csv(y), "\(file) differs", sourceLocation: sourceLocation)
        } else {
            let left = strip(try JSONSerialization.jsonObject(with: Data(contentsOf: x)))
            let right = strip(try JSONSerialization.jsonObject(with: Data(contentsOf: y)))
            #expect(NSDictionary(dictionary: left as? [String: Any] ?? [:]).isEqual(to: right as? [String: Any] ?? [:]),
                    "\(file) differs", sourceLocation: sourceLocation)
        }
    }
}
