import Foundation
import Simulation
import SimulationConfig
import Testing
import TestSupport

/// The README's promises about signals and files, end to end on the release
/// binary, as a user meets them: stops in every phase, the printed resume
/// command run from elsewhere and after moving the directory, two runs on one
/// directory, outputs that cannot be written, runs with almost no samples.
@Suite(.enabled(if: BuiltBinary.isBuilt, "needs the release build"), .serialized)
struct RunPromiseTests {
    /// A free field whose optimisation takes several seconds.
    static let longOptimisation = """
        seed: 3
        lattice: {extent: [64]}
        theory: {m2: 0.5, lambda: 0}
        sampler: {chains: 16, sweep: 16}
        optimizer: {steps: 1000, samples: 512, learning_rate: 0.2}
        evaluation: {samples: 4096}
        output: {checkpoint_every: 0}
        """
    /// Five steps, then an evaluation of ~15 s.
    static let longEvaluation = """
        lattice: {extent: [32]}
        theory: {m2: 0.5, lambda: 0}
        sampler: {chains: 32, sweep: 32}
        optimizer: {steps: 5, samples: 256}
        evaluation: {samples: 1048576}
        """
    /// A double well on 4 sites: exact diagonalisation needs far more than its time budget.
    static let doubleWell = """
        lattice: {extent: [4]}
        theory: {m2: -6, lambda: 3}
        sampler: {chains: 8}
        optimizer: {steps: 20, samples: 64}
        evaluation: {samples: 256}
        """
    /// A neural run whose plain-Gaussian warm start takes long.
    static let longWarmStart = """
        lattice: {extent: [8]}
        theory: {m2: 1, lambda: 6}
        ansatz: {kind: symmetric, hidden: [4]}
        sampler: {chains: 8}
        optimizer: {steps: 5, samples: 64, gaussian_steps: 1000000}
        evaluation: {samples: 256}
        """
    static let longThermalisation = """
        lattice: {extent: [64]}
        theory: {m2: 0.5, lambda: 0}
        sampler: {chains: 16, thermalization: 1000000}
        """

    func config(_ text: String) throws -> URL {
        let url = try temporaryDirectory().appendingPathComponent("run.yaml")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    /// The `resume with:` command of a stopped run.
    func resumeCommand(_ standardError: String) throws -> String {
        let line = try #require(standardError.split(separator: "\n").first { $0.hasPrefix("resume with: ") })
        return String(line.dropFirst("resume with: ".count))
    }

    func shell(_ command: String, in directory: URL) throws -> Int32 {
        let binary = try BuiltBinary(["-c", command], in: directory, executable: "/bin/sh")
        return binary.wait().status
    }

    /// Each phase: the signal stops it within 2 s, exit 128 + signal, a
    /// checkpoint, no summary, and the message names the phase.
    @Test(arguments: [
        ("thermalisation", longThermalisation, SIGINT, "", 0.5),
        ("warm start", longWarmStart, SIGTERM, "gaussian ", 0.3),
        ("optimisation", longOptimisation, SIGHUP, "optimisation 0/", 0.3),
        ("evaluation", longEvaluation, SIGINT, "optimisation 5/5", 0.5),
        ("reference", doubleWell, SIGQUIT, "from 256 samples", 0.0),
    ])
    func everyPhaseStopsWithACheckpoint(phase: String, yaml: String, signal: Int32, after: String, delay: Double) throws {
        let out = try temporaryDirectory().appendingPathComponent("run")
        let run = try BuiltBinary(["run", try config(yaml).path, "--output", out.path])
        if !after.isEmpty { #expect(run.waitFor(after), "\(phase): \(run.standardError)") }
        Thread.sleep(forTimeInterval: delay)
        run.send(signal)
        let (status, seconds) = run.wait()
        #expect(status == 128 + signal, "\(phase): \(run.standardError)")
        #expect(seconds < 2, "\(phase): exited \(seconds) s after the signal")
        #expect(entries(out) == ["checkpoint.json", "energy.csv"], "\(phase)")
        let name = ["warm start": "Gaussian warm start", "reference": "exact reference"][phase] ?? phase
        #expect(run.standardError.contains(phase == "optimisation" ? "after optimisation step" : "during the \(name)"), "\(run.standardError)")
    }

    /// A second signal ends the run at once, without waiting for the step in
    /// progress (~2 s here) to finish.
    @Test func secondSignalEndsTheRunAtOnce() throws {
        let yaml = try config("""
            lattice: {extent: [8, 8]}
            theory: {m2: 1, lambda: 24}
            ansatz: {kind: gaussian-mlp, hidden: [128]}
            sampler: {chains: 64, thermalization: 10}
            optimizer: {steps: 50, samples: 16384, gaussian_steps: 0}
            evaluation: {samples: 1024}
            """)
        let run = try BuiltBinary(["run", yaml.path, "--output", yaml.deletingLastPathComponent().appendingPathComponent("run").path])
        #expect(run.waitFor("optimisation 0/"))
        Thread.sleep(forTimeInterval: 0.3)
        run.send(SIGINT)
        Thread.sleep(forTimeInterval: 0.2)
        run.send(SIGINT)
        let (status, seconds) = run.wait()
        #expect(status == 130 && seconds < 1, "\(status) after \(seconds) s")
        #expect(!run.standardError.contains("resume with"), "the graceful stop did not run: \(run.standardError)")
    }

    /// The printed command, run verbatim from another working directory, and run
    /// again after the directory was moved, finishes the run with the numbers of
    /// an uninterrupted one.
    @Test func printedResumeCommandWorksFromAnywhereAndAfterAMove() throws {
        let work = try temporaryDirectory()
        try Self.longOptimisation.write(to: work.appendingPathComponent("c.yaml"), atomically: true, encoding: .utf8)
        #expect(try BuiltBinary.run(["run", "c.yaml", "--output", "whole", "--quiet"], in: work).status == 0)

        // Relative paths, typed in `work`.
        let first = try BuiltBinary(["run", "./c.yaml", "--output", "./parts/"], in: work)
        #expect(first.waitFor("optimisation 0/"))
        first.send(SIGINT)
        #expect(first.wait().status == 130)
        let command = try resumeCommand(first.standardError)
        #expect(command.contains(work.appendingPathComponent("parts").path) && command.contains(" --resume"))

        // From another directory: stopped again part-way, then moved, then finished.
        let elsewhere = try temporaryDirectory()
        let second = try BuiltBinary(["-c", "exec " + command], in: elsewhere, executable: "/bin/sh")
        Thread.sleep(forTimeInterval: 0.5)
        second.send(SIGTERM)
        #expect([0, 143].contains(second.wait().status), "\(second.standardError)")
        let moved = try temporaryDirectory().appendingPathComponent("moved run")
        try FileManager.default.moveItem(at: work.appendingPathComponent("parts"), to: moved)
        // The temporary file of a write that a crash cut short.
        try "half".write(to: moved.appendingPathComponent(".checkpoint.json.tmp-99999"), atomically: false, encoding: .utf8)
        let movedCommand = command.replacingOccurrences(
            of: work.appendingPathComponent("parts").path, with: "'\(moved.path)'")
        #expect(try shell(movedCommand, in: elsewhere) == 0)
        for file in ["correlator_k.csv", "correlator_r.csv"] {
            #expect(try Data(contentsOf: work.appendingPathComponent("whole/\(file)")) == Data(contentsOf: moved.appendingPathComponent(file)))
        }
        // No temporary files, no lock left behind.
        #expect(entries(moved) == ["summary.json", "energy.csv", "correlator_k.csv", "correlator_r.csv", "checkpoint.json"])
    }

    /// An error target on the built binary: the summary says the target and that
    /// it was reached, with the order parameter beside the energy; a stop during
    /// the evaluation's rounds resumes to the same numbers; a cap below the need
    /// finishes (exit 0) with the warning on the terminal and in the summary.
    @Test func precisionTargetEndToEnd() throws {
        let base = """
            seed: 8
            lattice: {extent: [6]}
            theory: {m2: 1, lambda: 6}
            sampler: {chains: 16, sweep: 6}
            optimizer: {steps: 20, samples: 256}

            """
        let work = try temporaryDirectory()
        let target = try config(base + "evaluation: {samples: 1024, target_relative_error: 2.0e-4, max_samples: 4194304}\n")
        #expect(try BuiltBinary.run(["run", target.path, "--output", work.appendingPathComponent("whole").path, "--quiet"]).status == 0)
        let whole = try readSummary(work.appendingPathComponent("whole"))
        let energy = try #require(whole["energy"] as? [String: Any])
        let (error, goal) = (try #require(energy["error"] as? Double), try #require(energy["target_error"] as? Double))
        #expect(energy["target_reached"] as? Bool == true && error <= goal && (energy["samples"] as? Int ?? 0) > 1024)
        let order = try #require(whole["order_parameter"] as? [String: [String: Double]])
        #expect(Set(order.keys) == ["abs_magnetization", "chi2", "binder"] && order["chi2"]?["error"] ?? 0 > 0)

        let parts = work.appendingPathComponent("parts")
        let stopped = try BuiltBinary(["run", target.path, "--output", parts.path], in: work)
        #expect(stopped.waitFor("sweeps measured"))
        stopped.send(SIGTERM)
        #expect(stopped.wait().status == 143, "\(stopped.standardError)")
        #expect(try shell(try resumeCommand(stopped.standardError), in: work) == 0)
        let resumed = try #require(try readSummary(parts)["energy"] as? [String: Any])
        #expect(resumed["mean"] as? Double == energy["mean"] as? Double && resumed["error"] as? Double == error)

        let capped = try config(base + "evaluation: {samples: 1024, target_error: 1.0e-9, max_samples: 2048}\n")
        let out = work.appendingPathComponent("capped")
        let run = try BuiltBinary.run(["run", capped.path, "--output", out.path, "--quiet"])
        #expect(run.status == 0 && run.standardError.contains("did not reach the target"), "\(run.standardError)")
        let cappedEnergy = try #require(try readSummary(out)["energy"] as? [String: Any])
        #expect(cappedEnergy["target_reached"] as? Bool == false && cappedEnergy["limit"] as? String == "max_samples")
        #expect((try readSummary(out)["warnings"] as? [String])?.count == 1)
    }

    /// Resuming with another physics is refused naming the keys, and leaves the
    /// finished run as it was.
    @Test func mismatchedResumeIsRefusedAndHarmless() throws {
        let base = "lattice: {extent: [4]}\nsampler: {chains: 4}\noptimizer: {steps: 5, samples: 16}\nevaluation: {samples: 64}\n"
        let first = try config(base + "theory: {m2: 1, lambda: 0}\n")
        let out = try temporaryDirectory().appendingPathComponent("run")
        #expect(try BuiltBinary.run(["run", first.path, "--output", out.path, "--quiet"]).status == 0)
        let before = entries(out)
        let other = try config(base + "theory: {m2: 2, lambda: 0}\n")
        let (status, message) = try BuiltBinary.run(["run", other.path, "--output", out.path, "--resume"])
        #expect(status == 2 && message.contains("theory.m2 is 1 there, 2 here"), "\(message)")
        #expect(entries(out) == before && before.contains("summary.json"))
    }

    /// `nqft exact` stops on a signal too (exact diagonalisation of a double well
    /// is open-ended), writing nothing.
    @Test func exactStopsOnASignal() throws {
        let out = try temporaryDirectory().appendingPathComponent("exact")
        let run = try BuiltBinary(["exact", try config(Self.doubleWell).path, "--output", out.path])
        Thread.sleep(forTimeInterval: 1)
        run.send(SIGINT)
        let (status, seconds) = run.wait()
        #expect(status == 130 && seconds < 2, "\(status) after \(seconds) s: \(run.standardError)")
        #expect(!entries(out).contains("exact.json"))
    }

    /// The memory estimate that `run` refuses by is above what a run really
    /// takes: 4096 chains on 32 x 32 sites, checkpointed every step (the
    /// checkpoint once took 5x its estimate). The peak comes from the kernel's
    /// accounting of the child (python3's resource module).
    @Test func memoryEstimateBoundsThePeak() throws {
        let yaml = try config("""
            lattice: {extent: [32, 32]}
            theory: {m2: 1, lambda: 0}
            sampler: {chains: 4096, thermalization: 2, sweep: 1}
            optimizer: {steps: 2, samples: 4096}
            evaluation: {samples: 4096}
            output: {checkpoint_every: 1}
            """)
        let out = yaml.deletingLastPathComponent().appendingPathComponent("run")
        let script = """
            import resource, subprocess, sys
            subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)
            print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024)
            """
        let python = Process()
        python.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        python.arguments = ["python3", "-c", script, BuiltBinary.path, "run", yaml.path, "--output", out.path, "--quiet"]
        let pipe = Pipe()
        python.standardOutput = pipe
        try python.run()
        python.waitUntilExit()
        #expect(python.terminationStatus == 0)
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let peak = try #require(Double(text.trimmingCharacters(in: .whitespacesAndNewlines)))
        let estimate = MemoryEstimate(configuration: try GroundStateConfiguration.load(path: yaml.path)).bytes
        #expect(estimate >= peak, "estimate \(estimate / 1048576) MiB, peak \(peak / 1048576) MiB")
        #expect(estimate <= 3 * peak, "estimate \(estimate / 1048576) MiB, peak \(peak / 1048576) MiB: too pessimistic")
    }

    /// Two runs on one directory: the second is refused while the first holds it.
    @Test func concurrentRunsOnOneDirectory() throws {
        let yaml = try config(Self.longOptimisation)
        let out = try temporaryDirectory().appendingPathComponent("shared")
        let first = try BuiltBinary(["run", yaml.path, "--output", out.path])
        #expect(first.waitFor("optimisation 0/"))
        let (status, message) = try BuiltBinary.run(["run", yaml.path, "--output", out.path, "--force"])
        #expect(status == 2 && message.contains("in use by another nqft run (pid \(first.process.processIdentifier))"), "\(message)")
        let resumed = try BuiltBinary.run(["run", yaml.path, "--output", out.path, "--resume"])
        #expect(resumed.status == 2)
        first.send(SIGINT)
        #expect(first.wait().status == 130)
        #expect(try BuiltBinary.run(["run", yaml.path, "--output", out.path, "--resume", "--quiet"]).status == 0)
    }

    /// `nqft exact` never writes into a run directory.
    @Test func exactRefusesARunDirectory() throws {
        let yaml = try config("lattice: {extent: [3]}\ntheory: {m2: 1, lambda: 0}\nsampler: {chains: 4}\noptimizer: {steps: 5, samples: 16}\nevaluation: {samples: 64}\n")
        let out = try temporaryDirectory().appendingPathComponent("run")
        #expect(try BuiltBinary.run(["run", yaml.path, "--output", out.path, "--quiet"]).status == 0)
        let before = try Data(contentsOf: out.appendingPathComponent("correlator_k.csv"))
        let (status, message) = try BuiltBinary.run(["exact", yaml.path, "--output", out.path])
        #expect(status == 2 && message.contains("holds a run"), "\(message)")
        #expect(try Data(contentsOf: out.appendingPathComponent("correlator_k.csv")) == before)
    }

    /// Outputs that cannot be written are refused before any work, naming the path.
    @Test func unwritableOutputsAreRefusedUpFront() throws {
        let yaml = try config(Self.longOptimisation)
        let base = try temporaryDirectory()
        let file = base.appendingPathComponent("a-file")
        try "x".write(to: file, atomically: true, encoding: .utf8)
        let dangling = base.appendingPathComponent("dangling")
        try FileManager.default.createSymbolicLink(atPath: dangling.path, withDestinationPath: base.appendingPathComponent("nowhere").path)
        for target in [file.path, file.appendingPathComponent("under").path, dangling.path, "/proc/nqft-cannot-be-here"] {
            let started = Date()
            let (status, message) = try BuiltBinary.run(["run", yaml.path, "--output", target, "--quiet"])
            #expect(status == 2, "\(target): \(message)")
            #expect(message.contains(target.hasSuffix("under") ? file.path : target), "\(message)")
            #expect(message.split(separator: "\n").count == 1, "one line: \(message)")
            #expect(Date().timeIntervalSince(started) < 5, "refused before any work")
        }
        let (status, message) = try BuiltBinary.run(["bench", "--workload", "W3", "--json", file.appendingPathComponent("x.json").path])
        #expect(status == 2 && message.contains("--json"), "\(message)")
    }

    /// A read-only file system, and a full one: a one-line message with the
    /// path, exit 2 before any work (read-only) or exit 1 at the first write
    /// (full), and no temporary file left. Needs root to mount small tmpfs:
    /// skipped (reported as skipped, never passed) elsewhere.
    @Test(.enabled(if: getuid() == 0, "mounting a small tmpfs needs root")) func readOnlyAndFullFileSystems() throws {
        let mountPoint = try temporaryDirectory()
        let mounted = try shell("mount -t tmpfs -o size=64k tmpfs '\(mountPoint.path)'", in: mountPoint)
        try #require(mounted == 0, "root could not mount a tmpfs")
        defer { _ = try? shell("umount '\(mountPoint.path)'", in: URL(fileURLWithPath: "/")) }
        let yaml = try config("lattice: {extent: [8, 6]}\ntheory: {m2: 0.5, lambda: 0}\noptimizer: {steps: 60}\noutput: {checkpoint_every: 20}\n")
        let full = mountPoint.appendingPathComponent("run")
        let (status, message) = try BuiltBinary.run(["run", yaml.path, "--output", full.path, "--quiet"])
        #expect(status == 1 && message.contains("No space left on device") && message.contains(full.path), "\(message)")
        #expect(!entries(full).contains { $0.contains(".tmp-") || $0 == "summary.json" }, "\(entries(full))")

        #expect(try shell("mount -o remount,ro '\(mountPoint.path)'", in: mountPoint) == 0)
        let readOnly = try BuiltBinary.run(["run", yaml.path, "--output", mountPoint.appendingPathComponent("ro").path])
        #expect(readOnly.status == 2 && readOnly.standardError.contains("Read-only file system"), "\(readOnly.standardError)")
    }

    /// One chain, one evaluation sample, two sites: no trap; the undefined
    /// omega_gauss(0) = 1/(2 G_c(0)) = 1/0 is an empty cell, and the summary warns.
    @Test func almostNoSamples() throws {
        let yaml = try config("lattice: {extent: [2]}\ntheory: {m2: 1, lambda: 0}\nsampler: {chains: 1}\nevaluation: {samples: 1}\n")
        let out = try temporaryDirectory().appendingPathComponent("run")
        let (status, message) = try BuiltBinary.run(["run", yaml.path, "--output", out.path, "--quiet"])
        #expect(status == 0, "\(message)")
        let rows = try String(contentsOf: out.appendingPathComponent("correlator_k.csv"), encoding: .utf8).split(separator: "\n")
        #expect(rows[1].contains(",,"), "\(rows[1])")
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("summary.json"))) as? [String: Any]
        #expect((summary?["warnings"] as? [String])?.first?.contains("1 sample") == true)
        #expect(message.contains("warning: the evaluation has 1 sample"))
    }

    /// --force into a finished run: the old run's files go first (a later
    /// failure cannot leave its summary.json), foreign files stay.
    @Test func forceClearsTheOldRunOnly() throws {
        let good = try config("lattice: {extent: [4]}\ntheory: {m2: 1, lambda: 0}\nsampler: {chains: 4}\noptimizer: {steps: 5, samples: 16}\nevaluation: {samples: 64}\n")
        let out = try temporaryDirectory().appendingPathComponent("run")
        #expect(try BuiltBinary.run(["run", good.path, "--output", out.path, "--quiet"]).status == 0)
        try "mine".write(to: out.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
        let diverging = try config(OutputSafetyTests.diverging)
        #expect(try BuiltBinary.run(["run", diverging.path, "--output", out.path, "--quiet", "--force"]).status == 1)
        #expect(entries(out) == ["checkpoint.json", "energy.csv", "notes.txt"])
    }

    /// A closed standard error (a pager quit, a dead terminal): the run goes on
    /// and finishes; bare `nqft` is a usage error.
    @Test func closedStandardErrorDoesNotKillTheRun() throws {
        let yaml = try config("lattice: {extent: [8, 6]}\ntheory: {m2: 0.5, lambda: 0}\noptimizer: {steps: 50}\n")
        let out = try temporaryDirectory().appendingPathComponent("run")
        let status = try shell(
            "'\(BuiltBinary.path)' run '\(yaml.path)' --output '\(out.path)' 2>&1 >/dev/null | true", in: out.deletingLastPathComponent())
        #expect(status == 0)
        #expect(entries(out).contains("summary.json"))
        let bare = try BuiltBinary.run([])
        #expect(bare.status == 2 && bare.standardError.contains("SUBCOMMANDS"), "\(bare.standardError)")
    }
}
