import ArgumentParser
import Foundation
import Lattice
import SimulationCLI
import Testing
import TestSupport

/// Runs `nqft` with `arguments` in process; returns the exit status the
/// executable would end with.
func nqft(_ arguments: [String]) -> Int32 {
    var command: any ParsableCommand
    do {
        command = try NQFT.parseAsRoot(arguments)
    } catch {
        return NQFT.exitStatus(for: error, duringParsing: true)
    }
    do {
        try command.run()
        return 0
    } catch {
        return NQFT.exitStatus(for: error, duringParsing: false)
    }
}

/// The command line end to end, in process, on tiny configs.
@Suite struct CommandLineTests {
    let tinyYAML = """
        name: tiny
        seed: 5
        lattice: {extent: [3, 2]}
        theory: {m2: 0.8, lambda: 0}
        sampler: {chains: 8, thermalization: 50, sweep: 6}
        optimizer: {steps: 120, samples: 128, learning_rate: 0.2, diag_shift: 1.0e-4}
        evaluation: {samples: 4096}
        """

    func write(_ text: String, in directory: URL, name: String = "config.yaml") throws -> String {
        let url = directory.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }


    func csvColumn(_ url: URL, _ name: String) throws -> [Double] {
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n")
        let index = lines[0].split(separator: ",").firstIndex { $0 == name }!
        return lines.dropFirst().map { Double($0.split(separator: ",")[index])! }
    }

    @Test func runWritesTheRunDirectory() throws {
        let directory = try temporaryDirectory()
        let out = directory.appendingPathComponent("run")
        #expect(nqft(["run", try write(tinyYAML, in: directory), "--output", out.path]) == 0)
        let files = Set(try FileManager.default.contentsOfDirectory(atPath: out.path))
        #expect(files == ["summary.json", "energy.csv", "correlator_k.csv", "correlator_r.csv", "checkpoint.json"])
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("summary.json"))) as! [String: Any]
        let energy = summary["energy"] as! [String: Any]
        let e0 = FreeTheory(lattice: Lattice(extent: [3, 2]), massSquared: 0.8).groundStateEnergy
        #expect(abs(energy["mean"] as! Double - e0) < 1e-8 * e0)
        #expect((summary["reference"] as! [String: Any])["energy"] as! Double == e0)
        #expect(try csvColumn(out.appendingPathComponent("energy.csv"), "step").count == 120)
        let header = try String(contentsOf: out.appendingPathComponent("correlator_k.csv"), encoding: .utf8).prefix { $0 != "\n" }
        #expect(header == "n_1,n_2,k_1,k_2,khat2,G,G_err,G_tau_int,G_c,G_c_err,omega_gauss,omega_gauss_err,G_free")
    }

    @Test func exactWritesTheFormulas() throws {
        let directory = try temporaryDirectory()
        let out = directory.appendingPathComponent("exact")
        #expect(nqft(["exact", try write(tinyYAML, in: directory), "--output", out.path]) == 0)
        let free = FreeTheory(lattice: Lattice(extent: [3, 2]), massSquared: 0.8)
        let values = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("exact.json"))) as! [String: Any]
        #expect(values["energy"] as! Double == free.groundStateEnergy)
        #expect(try csvColumn(out.appendingPathComponent("correlator_k.csv"), "G") == free.momentumCorrelator)
        // G(r = 0) by FFT against the direct sum: the same V terms in another order.
        let g0 = try csvColumn(out.appendingPathComponent("correlator_r.csv"), "G")[0]
        #expect(isClose(g0, free.fieldSquared, relative: 1e-14))
    }

    @Test(arguments: [
        "lattice: {extent: [4]}\ntheory: {m2: 1, lambda: 0}\nsampler: {chainz: 4}\n",
        "lattice: {extent: [-4]}\ntheory: {m2: 1, lambda: 0}\n",
        "lattice: {extent: [4]}\ntheory: {m2: 0, lambda: 0}\n",
        "lattice: [oops\n",
    ])
    func badConfigsExitWithStatus2AndWriteNothing(yaml: String) throws {
        let directory = try temporaryDirectory()
        let config = try write(yaml, in: directory)
        let out = directory.appendingPathComponent("never")
        for command in ["run", "validate", "exact"] {
            let extra = command == "validate" ? [] : ["--output", out.path]
            #expect(nqft([command, config] + extra) == 2, "\(command)")
        }
        #expect(!FileManager.default.fileExists(atPath: out.path))
    }

    /// 64^3 sites and 2^20 evaluation samples would need terabytes: refused before any work.
    @Test func runsThatCannotFitInMemoryAreRefused() throws {
        let directory = try temporaryDirectory()
        let config = try write(
            "lattice: {extent: [64, 64, 64]}\ntheory: {m2: 1, lambda: 0}\nevaluation: {samples: 1048576}\n", in: directory)
        #expect(nqft(["validate", config]) == 2)
        #expect(nqft(["run", config, "--output", directory.appendingPathComponent("never").path]) == 2)
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("never").path))
    }

    @Test func usageErrorsExitWithStatus2() {
        #expect(nqft(["run"]) == 2)
        #expect(nqft(["run", "x.yaml", "--bogus"]) == 2)
        #expect(nqft(["bench", "--workload", "W9"]) == 2)
        #expect(nqft(["frobnicate"]) == 2)
        #expect(nqft([]) == 2)  // a subcommand is required
        // The config caps the seed at 2^63 - 1; so does the flag.
        #expect(nqft(["run", "x.yaml", "--seed", "18446744073709551615"]) == 2)
        #expect(nqft(["run", "x.yaml", "--seed", "9223372036854775808"]) == 2)
    }

    @Test func validateAcceptsEveryBundledConfig() {
        for url in bundledConfigs { #expect(nqft(["validate", url.path]) == 0, "\(url.lastPathComponent)") }
    }

    @Test func exactRefusesInteractingTheoriesAtRuntime() throws {
        let directory = try temporaryDirectory()
        let config = try write("lattice: {extent: [5]}\ntheory: {m2: 1, lambda: 6}\n", in: directory)
        #expect(nqft(["exact", config, "--output", directory.appendingPathComponent("x").path]) == 1)
    }
}

/// A neural run's summary reports the Gaussian stage and the network's gain.
@Suite struct NeuralRunSummaryTests {
    @Test func summaryCarriesTheQualityReport() throws {
        let directory = try temporaryDirectory()
        let config = directory.appendingPathComponent("neural.yaml")
        try """
            lattice: {extent: [2]}
            theory: {m2: 1, lambda: 12}
            ansatz: {kind: symmetric, hidden: [8]}
            sampler: {chains: 8, thermalization: 20, sweep: 4}
            optimizer: {steps: 20, samples: 64, gaussian_steps: 10}
            evaluation: {samples: 1024}
            """.write(to: config, atomically: true, encoding: .utf8)
        let out = directory.appendingPathComponent("run")
        var command = try NQFT.parseAsRoot(["run", config.path, "--output", out.path])
        try command.run()
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("summary.json"))) as! [String: Any]
        let quality = summary["quality"] as! [String: Any]
        #expect(quality["gaussian_measured"] as? Bool == true && quality["gaussian_steps"] as? Int == 10)
        let energy = (summary["energy"] as! [String: Any])["mean"] as! Double
        #expect(abs((quality["gaussian_energy"] as! Double) - (quality["energy_gain"] as! Double) - energy) < 1e-12)
        #expect(((summary["reference"] as! [String: Any])["method"] as! String).hasPrefix("exact diagonalization"))
    }
}

/// Nothing is lost: existing runs are not overwritten, diverging runs keep their last good state.
@Suite struct OutputSafetyTests {

    @Test func existingRunDirectorySurvivesWithoutForce() throws {
        let directory = try temporaryDirectory()
        let config = directory.appendingPathComponent("c.yaml")
        try "lattice: {extent: [3]}\ntheory: {m2: 1, lambda: 0}\nsampler: {chains: 4, sweep: 3}\noptimizer: {steps: 5, samples: 16}\nevaluation: {samples: 64}\n"
            .write(to: config, atomically: true, encoding: .utf8)
        let out = directory.appendingPathComponent("run")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let precious = out.appendingPathComponent("summary.json")
        try "precious".write(to: precious, atomically: true, encoding: .utf8)
        #expect(nqft(["run", config.path, "--output", out.path, "--quiet"]) == 2)
        #expect(try String(contentsOf: precious, encoding: .utf8) == "precious")
        #expect(nqft(["run", config.path, "--output", out.path, "--quiet", "--force"]) == 0)
        #expect(try String(contentsOf: precious, encoding: .utf8) != "precious")
    }

    /// A run that diverges: the largest learning rate allowed with the trust
    /// region opened wide (by default `max_step` would tame it).
    static let diverging = """
        lattice: {extent: [4]}
        theory: {m2: 1, lambda: 6}
        ansatz: {kind: gaussian-mlp, hidden: [8]}
        sampler: {chains: 8, thermalization: 20, sweep: 4}
        optimizer: {steps: 30, samples: 64, learning_rate: 100, max_step: 1.0e12, gaussian_steps: 0}
        evaluation: {samples: 256}
        """

    /// The guard retries at lower rates, then stops with exit 1, writing only the
    /// last good checkpoint and the steps before it, and no NaN anywhere.
    @Test func divergingRunKeepsItsLastGoodCheckpoint() throws {
        let directory = try temporaryDirectory()
        let config = directory.appendingPathComponent("c.yaml")
        try Self.diverging.write(to: config, atomically: true, encoding: .utf8)
        let out = directory.appendingPathComponent("run")
        #expect(nqft(["run", config.path, "--output", out.path, "--quiet"]) == 1)
        // The last good state and the steps before it; no summary, no correlators.
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: out.path)) == ["checkpoint.json", "energy.csv"])
        for file in ["checkpoint.json", "energy.csv"] {
            let text = try String(contentsOf: out.appendingPathComponent(file), encoding: .utf8).lowercased()
            #expect(!text.contains("nan") && !text.contains("inf"), "\(file)")
        }
    }
}
