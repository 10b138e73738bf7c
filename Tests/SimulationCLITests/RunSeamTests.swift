import Foundation
import Lattice
import Simulation
import SimulationConfig
import Testing
import TestSupport

/// The seam every kind of run shares, end to end on the release binary: the
/// findings of issue 23, each a case that failed before it was fixed — silent
/// wrong answers refused or warned about, tampered checkpoints refused instead
/// of trapping, periodic checkpoints and stops in every kind and phase, `--force`
/// and `exact` across kinds, one resume check.
@Suite(.enabled(if: BuiltBinary.isBuilt, "needs the release build"), .serialized)
struct RunSeamTests {
    // MARK: Silent wrong results

    /// A convention whose image in the project's convention is refused is refused
    /// too, naming the given key and the converted value, before any work.
    @Test func conventionsAreRefusedForWhatTheirImageWouldBe() throws {
        let unbounded = try writeConfig("""
            mode: euclidean
            lattice: {extent: [8, 8]}
            theory: {convention: hopping, kappa: 0.3, lambda: 0}
            """)
        for command in ["validate", "run"] {
            let start = Date()
            let arguments = command == "run" ? ["--output", unbounded.deletingLastPathComponent().appendingPathComponent("run").path] : []
            let (status, message) = try BuiltBinary.run([command, unbounded.path] + arguments)
            #expect(status == 2 && message.contains("theory.kappa") && message.contains("m2 = -0.66666"), "\(message)")
            #expect(message.contains("no lower bound"), "\(message)")
            #expect(Date().timeIntervalSince(start) < 5)
        }
        let infinite = try writeConfig("mode: euclidean\nlattice: {extent: [8, 8]}\ntheory: {convention: hopping, kappa: 1.0e-300, lambda: 0.5}\n")
        let (status, message) = try BuiltBinary.run(["run", infinite.path, "--output", infinite.deletingLastPathComponent().appendingPathComponent("run").path])
        #expect(status == 2 && message.contains("theory.kappa") && message.contains("lambda = inf"), "\(message)")
    }

    /// The Gauss-net far from the origin underflows to 0 +- 0 against an exact
    /// G = 1: refused with the reason. Points where an erf network is identically
    /// 0 (the origin with sigma_b = 0) are left out of the default four-point
    /// sets and reported as not tests, never as agreement.
    @Test func underflowingAndVanishingNetworksAreNeverAgreement() throws {
        let far = try writeConfig("mode: nnft\nnetwork: {activation: gauss, width: 10}\nlattice: {extent: [4], spacing: 40}\nensemble: {networks: 10000}\n")
        let (status, message) = try BuiltBinary.run(["run", far.path, "--output", far.deletingLastPathComponent().appendingPathComponent("run").path])
        #expect(status == 2 && message.contains("Sigma(x, x)") && message.contains("underflow"), "\(message)")
        let wide = try writeConfig("mode: nnft\nnetwork: {activation: gauss, width: 2, sigma_w: 10}\nlattice: {extent: [4], spacing: 100}\n")
        #expect(try BuiltBinary.run(["validate", wide.path]).status == 2)

        let origin = try writeConfig("mode: nnft\nseed: 3\nnetwork: {activation: erf, width: 4}\nlattice: {extent: [6], spacing: 0.5}\nensemble: {networks: 20000}\n")
        let out = origin.deletingLastPathComponent().appendingPathComponent("run")
        #expect(try BuiltBinary.run(["run", origin.path, "--output", out.path, "--quiet"]).status == 0)
        let summary = try readSummary(out)
        let config = try #require((summary["config"] as? [String: Any])?["ensemble"] as? [String: Any])
        let sets = try #require(config["four_point"] as? [[Int]])
        #expect(!sets.isEmpty && sets.allSatisfy { !$0.contains(0) }, "\(sets)")
        let ensemble = try #require((summary["ensembles"] as? [[String: Any]])?.first)
        let twoPoint = try #require(ensemble["two_point"] as? [String: Any])
        // The six pairs with the origin are identically 0: trivial, not tests.
        #expect(twoPoint["trivial"] as? Int == 6 && twoPoint["failed"] as? Int == 0, "\(twoPoint)")
        #expect((twoPoint["compared"] as? Int ?? 0) == 15)
        #expect((summary["notes"] as? [String] ?? []).contains { $0.contains("identically 0") })
    }

    /// A path integral's extrapolation needs three spacings, distinct ones; and
    /// spacings outside the Trotter error's eps^2 regime are said to be (the deep
    /// double well and the stiff lambda = 1e8 landed 16 and 4.8 errors off).
    @Test func pathIntegralsCheckTheirExtrapolation() throws {
        func config(_ theory: String, _ spacings: String) throws -> URL {
            try writeConfig("""
                mode: path-integral
                seed: 4
                lattice: {extent: [2]}
                theory: \(theory)
                path_integral: {spacings: \(spacings), beta: 2.0}
                sampler: {chains: 8, thermalization: 50}
                measurement: {samples: 512}
                """)
        }
        for spacings in ["[0.3, 0.2]", "[0.2, 0.2000000000000001, 0.1]"] {
            let yaml = try config("{m2: -20, lambda: 24}", spacings)
            let (status, message) = try BuiltBinary.run(["validate", yaml.path])
            #expect(status == 2 && message.contains("path_integral.spacings"), "\(spacings): \(message)")
        }
        for theory in ["{m2: -20, lambda: 24}", "{m2: 1, lambda: 1.0e8}"] {
            let yaml = try config(theory, "[0.3, 0.2, 0.1]")
            let out = yaml.deletingLastPathComponent().appendingPathComponent("run")
            let (status, message) = try BuiltBinary.run(["run", yaml.path, "--output", out.path, "--quiet"])
            #expect(status == 0 && message.contains("eps omega_max"), "\(theory): \(message)")
            let energy = try #require(try readSummary(out)["energy"] as? [String: Any])
            #expect((energy["trotter_parameter"] as? Double ?? 0) > 1 && (energy["degrees_of_freedom"] as? Int ?? 0) >= 1)
        }
    }

    // MARK: Crashes

    /// A checkpoint edited or truncated is refused with exit 2 and what is wrong —
    /// by its checksum when edited as text, by its structure when its state is
    /// rewritten consistently — never a trap, never a stale lock.
    @Test func tamperedCheckpointsAreRefused() throws {
        let hmc = try writeConfig("""
            mode: euclidean
            lattice: {extent: [6, 6]}
            theory: {m2: -1, lambda: 12}
            sampler: {chains: 4, thermalization: 20}
            measurement: {samples: 256}
            """)
        let out = hmc.deletingLastPathComponent().appendingPathComponent("run")
        #expect(try BuiltBinary.run(["run", hmc.path, "--output", out.path, "--quiet"]).status == 0)
        let file = out.appendingPathComponent("checkpoint.json")
        let original = try Data(contentsOf: file)
        let path = file.path
        func refused(_ data: Data, _ expected: String) throws {
            try data.write(to: file)
            let (status, message) = try BuiltBinary.run(["run", hmc.path, "--output", out.path, "--resume", "--quiet"])
            #expect(status == 2 && message.contains(expected), "expected `\(expected)`: \(status) \(message)")
            #expect(!entries(out).contains(".nqft.lock"))
        }
        // Text edits: the checksum.
        let text = String(decoding: original, as: UTF8.self)
        try refused(Data(text.replacingOccurrences(of: "\"thermalized\" : 20", with: "\"thermalized\" : 7").utf8), "checksum")
        try refused(original.prefix(original.count / 2), "not JSON")
        try refused(Data(text.replacingOccurrences(of: "\"kind\" : \"euclidean\"", with: "\"kind\" : \"nnft\"").utf8), "`nnft` run")
        // Consistent rewrites: the structure.
        var state = try CheckpointFile.decode(EuclideanCheckpoint.self, kind: "euclidean", from: original, path: path)
        guard case .hmc(let chains) = try #require(state.ensembles[0].progress.chains) else { Issue.record("not HMC"); return }
        func rewritten(_ change: (inout EuclideanCheckpoint) -> Void) throws -> Data {
            var copy = state
            change(&copy)
            return try CheckpointFile.encode(copy, kind: "euclidean")
        }
        var fewer = chains
        fewer.random = Array(chains.random.prefix(1))
        try refused(rewritten { $0.ensembles[0].progress.chains = .hmc(fewer) }, "random (streams) has 1, expected 4")
        var cut = chains
        cut.fields = FieldBatch(rows: 4, columns: 3, storage: Array(chains.fields.storage.prefix(12)))
        try refused(rewritten { $0.ensembles[0].progress.chains = .hmc(cut) }, "fields (sites) has 3, expected 36")
        var negative = chains
        negative.stepSize = -0.1
        try refused(rewritten { $0.ensembles[0].progress.chains = .hmc(negative) }, "stepSize is -0.1")
        try refused(rewritten { $0.ensembles[0].progress.thermalized = 99 }, "thermalized is 99")
        try refused(rewritten { let first = $0.ensembles[0]; $0.ensembles.append(first) }, "ensembles has 2, expected 1")
        try refused(rewritten { $0.ensembles[0].spacing = 0.1 }, "spacing is 0.1")
        state.configuration.sampler.chains = 2
        try refused(try CheckpointFile.encode(state, kind: "euclidean"), "sampler.chains is 2 there, 4 here")
        // The original still resumes (to the same finished run).
        try original.write(to: file)
        #expect(try BuiltBinary.run(["run", hmc.path, "--output", out.path, "--resume", "--quiet"]).status == 0)
    }

    /// A flow run's checkpoint whose parameters were cut short, and a network
    /// run's with another width: refused naming the part.
    @Test func tamperedFlowAndNetworkCheckpointsAreRefused() throws {
        let flow = try writeConfig("""
            mode: euclidean
            lattice: {extent: [4, 4]}
            theory: {m2: 1, lambda: 0}
            sampler: {kind: flow, chains: 4, thermalization: 2}
            flow: {layers: 2, hidden: [4], steps: 20, batch: 8}
            measurement: {samples: 64}
            """)
        let out = flow.deletingLastPathComponent().appendingPathComponent("run")
        #expect(try BuiltBinary.run(["run", flow.path, "--output", out.path, "--quiet"]).status == 0)
        let file = out.appendingPathComponent("checkpoint.json")
        var state = try CheckpointFile.decode(EuclideanCheckpoint.self, kind: "euclidean", from: Data(contentsOf: file), path: file.path)
        let parameters = state.ensembles[0].flow?.parameters ?? []
        state.ensembles[0].flow?.parameters = Array(parameters.prefix(5))
        try CheckpointFile.encode(state, kind: "euclidean").write(to: file)
        var (status, message) = try BuiltBinary.run(["run", flow.path, "--output", out.path, "--resume", "--quiet"])
        #expect(status == 2 && message.contains("flow.parameters has 5"), "\(message)")

        let network = try writeConfig("mode: nnft\nnetwork: {activation: erf, width: [3, 7]}\nlattice: {extent: [4], spacing: 0.5}\nensemble: {networks: 4096}\n")
        let netOut = network.deletingLastPathComponent().appendingPathComponent("run")
        #expect(try BuiltBinary.run(["run", network.path, "--output", netOut.path, "--quiet"]).status == 0)
        let netFile = netOut.appendingPathComponent("checkpoint.json")
        var net = try CheckpointFile.decode(NetworkCheckpoint.self, kind: "nnft", from: Data(contentsOf: netFile), path: netFile.path)
        net.ensembles[1].width = 8
        let first = net.ensembles[0]
        net.ensembles.append(first)
        try CheckpointFile.encode(net, kind: "nnft").write(to: netFile)
        (status, message) = try BuiltBinary.run(["run", network.path, "--output", netOut.path, "--resume", "--quiet"])
        #expect(status == 2 && message.contains("ensembles has 3, expected 2"), "\(message)")
        net.ensembles.removeLast()
        try CheckpointFile.encode(net, kind: "nnft").write(to: netFile)
        (status, message) = try BuiltBinary.run(["run", network.path, "--output", netOut.path, "--resume", "--quiet"])
        #expect(status == 2 && message.contains("ensembles[1].width is 8, the config's 7"), "\(message)")
    }

    // MARK: Broken promises

    /// Every kind writes a checkpoint every `output.checkpoint_every` seconds in
    /// every stage: killed with SIGKILL mid-run, it resumes from the last one to
    /// the numbers of an uninterrupted run.
    @Test(arguments: [
        ("ground state", "lattice: {extent: [16, 16]}\ntheory: {m2: 1, lambda: 0}\nsampler: {chains: 16}\noptimizer: {steps: 200, samples: 512}\nevaluation: {samples: 65536}\n"),
        ("Euclidean HMC", "mode: euclidean\nlattice: {extent: [32, 32]}\ntheory: {m2: -1, lambda: 12}\nsampler: {chains: 8, thermalization: 100}\nmeasurement: {samples: 65536}\n"),
        ("path integral", "mode: path-integral\nlattice: {extent: [8]}\ntheory: {m2: 1, lambda: 24}\npath_integral: {spacings: [0.15, 0.1, 0.05], beta: 4}\nsampler: {chains: 8, thermalization: 50}\nmeasurement: {samples: 65536}\n"),
        ("phi^4 network", "mode: nnft\nnetwork: {activation: cos, width: [400]}\nlattice: {extent: [6, 6]}\ntheory: {m2: 0.5, lambda: 6}\nensemble: {networks: 32768, chains: 16, thermalization: 20}\nreference: {samples: 65536, chains: 16, thermalization: 50}\n"),
    ])
    func periodicCheckpointsSurviveKill(kind: String, yaml: String) throws {
        let config = try writeConfig(yaml + "output: {checkpoint_every: 0.5}\n")
        let base = config.deletingLastPathComponent()
        #expect(try BuiltBinary.run(["run", config.path, "--output", base.appendingPathComponent("whole").path, "--quiet"]).status == 0)
        let killed = base.appendingPathComponent("killed")
        let run = try BuiltBinary(["run", config.path, "--output", killed.path])
        Thread.sleep(forTimeInterval: 2.5)
        run.send(SIGKILL)
        run.wait()
        #expect(entries(killed).contains("checkpoint.json"), "\(kind): no periodic checkpoint in \(entries(killed))")
        #expect(!entries(killed).contains("summary.json"), "\(kind): it finished before the kill; the test needs a longer run")
        let (status, message) = try BuiltBinary.run(["run", config.path, "--output", killed.path, "--resume", "--quiet"])
        #expect(status == 0, "\(kind): \(message)")
        let a = try readSummary(base.appendingPathComponent("whole")), b = try readSummary(killed)
        for key in ["energy", "observables", "ensembles", "reference"] {
            #expect(stripTimes(a[key]) == stripTimes(b[key]), "\(kind): \(key) differs after the resume")
        }
    }

    /// A stop during the analysis of a long measurement (the Gamma method over
    /// every correlator) is honoured at once, and the resumed run repeats only
    /// the analysis.
    @Test func stopsDuringTheAnalysis() throws {
        // Trajectories so short that the chains barely decorrelate: every
        // correlator's window is long (past the directly summed lags, into the FFTs),
        // and 1194 series of 8192 records take ~0.5 s to analyse; the checkpoint
        // then holds all of them (~100 MB, written in under a second).
        let yaml = try writeConfig("""
            mode: euclidean
            lattice: {extent: [64, 64]}
            theory: {m2: 1, lambda: 0}
            sampler: {chains: 2, thermalization: 0, trajectory_length: 0.02, jitter: 0}
            measurement: {samples: 8192}
            """)
        let out = yaml.deletingLastPathComponent().appendingPathComponent("run")
        let run = try BuiltBinary(["run", yaml.path, "--output", out.path])
        #expect(run.waitFor("4096/4096  configurations"), "\(run.standardError)")
        Thread.sleep(forTimeInterval: 0.1)
        run.send(SIGINT)
        let (status, seconds) = run.wait()
        #expect(status == 130 && seconds < 2.5, "\(status) after \(seconds) s: \(run.standardError)")
        #expect(run.standardError.contains("during the analysis"), "\(run.standardError)")
        let (resumed, message) = try BuiltBinary.run(["run", yaml.path, "--output", out.path, "--resume", "--quiet"])
        #expect(resumed == 0, "\(message)")
    }

    /// A step size tuned to almost nothing (an absurd acceleration mass) makes
    /// each trajectory long: a stop is still honoured within about a second.
    @Test func stopsInsideLongTrajectories() throws {
        let yaml = try writeConfig("""
            mode: euclidean
            lattice: {extent: [8, 8]}
            theory: {m2: 1, lambda: 0}
            sampler: {chains: 2, thermalization: 1000, fourier_acceleration: true, acceleration_mass: 1.0e-300}
            measurement: {samples: 1024}
            """)
        let run = try BuiltBinary(["run", yaml.path, "--output", yaml.deletingLastPathComponent().appendingPathComponent("run").path])
        Thread.sleep(forTimeInterval: 3)
        run.send(SIGINT)
        let (status, seconds) = run.wait(seconds: 30)
        #expect(status == 130 && seconds < 2, "\(status) after \(seconds) s: \(run.standardError)")
    }

    /// `--force` into another kind's finished run leaves none of its files: for
    /// every ordered pair of kinds the directory then holds exactly the new run's.
    @Test func forceAcrossEveryPairOfKinds() throws {
        let kinds = try [
            "lattice: {extent: [4]}\ntheory: {m2: 1, lambda: 0}\nsampler: {chains: 4}\noptimizer: {steps: 5, samples: 16}\nevaluation: {samples: 64}\n",
            "mode: euclidean\nlattice: {extent: [4, 4]}\ntheory: {m2: 1, lambda: 0}\nsampler: {chains: 4, thermalization: 10}\nmeasurement: {samples: 64}\n",
            "mode: path-integral\nlattice: {extent: [2]}\ntheory: {m2: 1, lambda: 0}\npath_integral: {spacings: [0.3, 0.2, 0.1], beta: 1}\nsampler: {chains: 4, thermalization: 10}\nmeasurement: {samples: 64}\n",
            "mode: nnft\nnetwork: {activation: erf, width: [3, 5]}\nlattice: {extent: [4], spacing: 0.5}\nensemble: {networks: 2048}\n",
            "mode: nnft\nnetwork: {activation: cos, width: 10}\nlattice: {extent: [4]}\ntheory: {m2: 1, lambda: 1}\nensemble: {networks: 64, chains: 4, thermalization: 2}\nreference: {samples: 64, chains: 4, thermalization: 2}\n",
        ].map { try writeConfig($0) }
        var files: [[String]] = []
        for config in kinds {
            let out = try temporaryDirectory().appendingPathComponent("alone")
            #expect(try BuiltBinary.run(["run", config.path, "--output", out.path, "--quiet"]).status == 0)
            files.append(entries(out).sorted())
        }
        for (a, first) in kinds.enumerated() {
            for (b, second) in kinds.enumerated() where a != b {
                let out = try temporaryDirectory().appendingPathComponent("shared")
                #expect(try BuiltBinary.run(["run", first.path, "--output", out.path, "--quiet"]).status == 0)
                let (status, message) = try BuiltBinary.run(["run", second.path, "--output", out.path, "--quiet", "--force"])
                #expect(status == 0, "\(message)")
                #expect(entries(out).sorted() == files[b], "kind \(a) then \(b): \(entries(out).sorted()) vs \(files[b])")
            }
        }
    }

    /// `nqft exact` refuses a directory a run is working in before its first
    /// checkpoint (its lock), as it refuses a finished run's.
    @Test func exactRespectsARunningRunsLock() throws {
        let yaml = try writeConfig(RunPromiseTests.longThermalisation)
        let out = yaml.deletingLastPathComponent().appendingPathComponent("run")
        let run = try BuiltBinary(["run", yaml.path, "--output", out.path])
        Thread.sleep(forTimeInterval: 0.5)  // in its thermalisation (a million sweeps)
        #expect(entries(out) == [".nqft.lock"], "\(entries(out))")
        let (status, message) = try BuiltBinary.run(["exact", yaml.path, "--output", out.path])
        #expect(status == 2 && message.contains("holds a run"), "\(message)")
        #expect(!entries(out).contains("exact.json"))
        run.send(SIGINT)
        run.wait()
    }

    /// One resume check for every kind: a changed config is refused naming each key.
    @Test func resumeNamesEveryDifferingKey() throws {
        let base = "mode: euclidean\nlattice: {extent: [4, 4]}\nsampler: {kind: flow, chains: 4, thermalization: 2}\nmeasurement: {samples: 64}\n"
        let first = try writeConfig(base + "theory: {m2: 1, lambda: 0}\nflow: {layers: 2, hidden: [4], steps: 10, batch: 8}\n")
        let out = first.deletingLastPathComponent().appendingPathComponent("run")
        #expect(try BuiltBinary.run(["run", first.path, "--output", out.path, "--quiet"]).status == 0)
        let second = try writeConfig(base + "theory: {m2: 2, lambda: 0}\nflow: {layers: 3, hidden: [4], steps: 10, batch: 8}\n")
        let (status, message) = try BuiltBinary.run(["run", second.path, "--output", out.path, "--resume"])
        #expect(status == 2 && message.contains("theory.m2 is 1 there, 2 here") && message.contains("flow.layers is 2 there, 3 here"), "\(message)")
    }

    // MARK: The ground state

    /// Adam at a learning rate that diverges: the guard retries with halved rates
    /// and ends with exit 1 and the last good checkpoint, or succeeds — never a trap.
    @Test func divergingAdamIsGuardedNotTrapped() throws {
        for rate in ["10", "100"] {
            let yaml = try writeConfig("""
                lattice: {extent: [6]}
                theory: {m2: 1, lambda: 6}
                ansatz: {kind: gaussian-mlp, hidden: [8]}
                optimizer: {kind: adam, learning_rate: \(rate), steps: 20, samples: 256}
                evaluation: {samples: 1024}
                """)
            let out = yaml.deletingLastPathComponent().appendingPathComponent("run")
            let (status, message) = try BuiltBinary.run(["run", yaml.path, "--output", out.path, "--quiet"])
            #expect([0, 1].contains(status), "learning rate \(rate): exit \(status): \(message)")
            if status == 1 { #expect(message.contains("diverged") && entries(out).contains("checkpoint.json"), "\(message)") }
        }
    }

    /// Every kind is refused above 80% of the machine's memory, with its estimate
    /// and what dominates it (only the ground state's had an estimate before).
    @Test func everyKindHasAMemoryEstimate() throws {
        for yaml in [
            "mode: euclidean\nlattice: {extent: [1024, 1024]}\ntheory: {m2: 1, lambda: 0}\nmeasurement: {samples: 1048576}\n",
            "mode: path-integral\nlattice: {extent: [64, 64]}\ntheory: {m2: 1, lambda: 0}\npath_integral: {spacings: [0.3, 0.2, 0.1], beta: 25}\nmeasurement: {samples: 1000000000}\n",
            "mode: nnft\nnetwork: {activation: cos, width: 10}\nlattice: {extent: [16, 16]}\ntheory: {m2: 1, lambda: 1}\nensemble: {networks: 100000000, chains: 16}\n",
        ] {
            let config = try writeConfig(yaml)
            for command in ["validate", "run"] {
                let (status, message) = try BuiltBinary.run([command, config.path])
                #expect(status == 2 && message.contains("needs about") && message.contains("80%"), "\(message)")
            }
        }
        let small = try writeConfig("mode: nnft\nnetwork: {activation: erf, width: 5}\nlattice: {extent: [8]}\n")
        let (status, message) = try BuiltBinary.run(["validate", small.path])
        #expect(status == 0 && message.isEmpty, "\(message)")
    }

    /// One bad value in a phi^4 network's config is one message, not three.
    @Test func oneBadValueOneMessage() throws {
        let yaml = try writeConfig("""
            mode: nnft
            network: {activation: cos, width: 10}
            lattice: {extent: [4, 4]}
            theory: {m2: 0.5, lambda: -6}
            ensemble: {networks: 64, chains: 4}
            reference: {samples: 64}
            """)
        let (status, message) = try BuiltBinary.run(["validate", yaml.path])
        #expect(status == 2 && message.contains("theory.lambda"), "\(message)")
        #expect(!message.contains("ensemble.chains") && !message.contains("reference"), "\(message)")
    }
}

/// A summary section with every timing key removed (they differ between runs).
func stripTimes(_ value: Any?) -> String {
    func clean(_ v: Any) -> Any {
        if let d = v as? [String: Any] {
            return d.filter { !$0.key.contains("second") }.mapValues(clean)
        }
        if let a = v as? [Any] { return a.map(clean) }
        return v
    }
    guard let value else { return "absent" }
    let data = (try? JSONSerialization.data(withJSONObject: clean(value), options: [.sortedKeys, .fragmentsAllowed])) ?? Data()
    return String(decoding: data, as: UTF8.self)
}
