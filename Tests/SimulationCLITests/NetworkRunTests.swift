import Foundation
import Testing
import TestSupport

/// Network-field-theory runs end to end on the release binary: correlators
/// against the exact kernels in every CSV row, stop and resume with identical
/// numbers, and phi^4 from the network beside its HMC reference.
@Suite(.enabled(if: BuiltBinary.isBuilt, "needs the release build"), .serialized)
struct NetworkRunTests {
    func config(_ text: String) throws -> URL { try writeConfig(text) }

    func summary(_ directory: URL) throws -> [String: Any] { try readSummary(directory) }

    /// Rows of a CSV file as dictionaries by column name.
    func rows(_ directory: URL, _ file: String) throws -> [[String: String]] {
        let lines = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8).split(separator: "\n")
        let header = lines[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        return lines.dropFirst().map { line in
            Dictionary(uniqueKeysWithValues: zip(header, line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)))
        }
    }

    /// ReLU networks at a list of 2D points, two widths: every pair's G2 and every
    /// four-point function within 4.5 errors of the exact value, each row with
    /// value, error, exact and deviation; the 1/N fit in the summary.
    @Test func pointsEnsembleMatchesTheExactKernels() throws {
        let out = try temporaryDirectory().appendingPathComponent("run")
        let yaml = """
            mode: nnft
            network: {activation: relu, width: [2, 8], sigma_w: 1.3, sigma_b: 0.4}
            lattice: {points: [[0.0, 0.0], [0.5, -0.2], [1.0, 0.7], [-0.4, 0.3]]}
            ensemble: {networks: 300000, batch: 1000, four_point: [[0, 1, 2, 3], [0, 0, 2, 2]]}
            """
        let (status, standardError) = try BuiltBinary.run(["run", try config(yaml).path, "--output", out.path])
        #expect(status == 0, "\(standardError)")
        let pairs = try rows(out, "correlator_pairs.csv")
        #expect(pairs.count == 2 * 10)
        for row in pairs {
            let deviation = try #require(row["deviation"].flatMap(Double.init))
            let value = try #require(row["value"].flatMap(Double.init)), exact = try #require(row["exact"].flatMap(Double.init))
            let error = try #require(row["error"].flatMap(Double.init))
            #expect(abs(deviation) < 4.5 && abs((value - exact) / error - deviation) < 1e-9, "\(row)")
            #expect(row["error_of_error"].flatMap(Double.init) != nil)
        }
        let four = try rows(out, "four_point.csv")
        #expect(four.count == 4)
        for row in four { #expect(abs(try #require(row["deviation"].flatMap(Double.init))) < 4.5, "\(row)") }
        let s = try summary(out)
        let fits = try #require(s["four_point_fit"] as? [[String: Any]])
        #expect(fits.count == 2)
        let ensembles = try #require(s["ensembles"] as? [[String: Any]])
        #expect(ensembles.count == 2 && ensembles.allSatisfy { ($0["networks_per_second"] as? Double ?? 0) > 0 })
    }

    /// A stop during an ensemble leaves a checkpoint; the printed command resumes
    /// it, and every CSV equals an uninterrupted run's.
    @Test func stopAndResumeGiveTheSameNumbers() throws {
        let yaml = try config("""
            mode: nnft
            network: {activation: erf, width: 100, sigma_w: 1.0, sigma_b: 1.0}
            lattice: {extent: [32], spacing: 0.1}
            ensemble: {networks: 3000000, batch: 1024}
            """)
        let stopped = try temporaryDirectory().appendingPathComponent("stopped")
        let run = try BuiltBinary(["run", yaml.path, "--output", stopped.path])
        #expect(run.waitFor("networks, "), "\(run.standardError)")
        run.send(SIGINT)
        let (status, seconds) = run.wait()
        #expect(status == 128 + SIGINT && seconds < 3, "\(run.standardError)")
        #expect(entries(stopped) == ["checkpoint.json"])
        let line = try #require(run.standardError.split(separator: "\n").first { $0.hasPrefix("resume with: ") })
        let resumed = try BuiltBinary(["-c", String(line.dropFirst("resume with: ".count))], executable: "/bin/sh")
        #expect(resumed.wait(seconds: 300).status == 0, "\(resumed.standardError)")
        let straight = try temporaryDirectory().appendingPathComponent("straight")
        #expect(try BuiltBinary.run(["run", yaml.path, "--output", straight.path, "--threads", "1"]).status == 0)
        for file in ["correlator_pairs.csv", "four_point.csv"] {
            let a = try String(contentsOf: stopped.appendingPathComponent(file), encoding: .utf8)
            let b = try String(contentsOf: straight.appendingPathComponent(file), encoding: .utf8)
            #expect(a == b, "\(file)")
        }
    }

    /// A stop during a deformed ensemble's measurement (one unit, discarded) leaves
    /// the thermalised chains in the checkpoint; the printed command resumes, and
    /// the observables equal an uninterrupted run's.
    @Test func phiFourStopsInTheMeasurementAndResumes() throws {
        let yaml = try config("""
            mode: nnft
            network: {activation: cos, width: 1000}
            lattice: {extent: [8, 8]}
            theory: {m2: 0.5, lambda: 6}
            ensemble: {networks: 16384, chains: 16, thermalization: 100}
            reference: {samples: 0}
            """)
        let stopped = try temporaryDirectory().appendingPathComponent("stopped")
        let run = try BuiltBinary(["run", yaml.path, "--output", stopped.path])
        #expect(run.waitFor("100/100"), "\(run.standardError)")
        run.send(SIGTERM)
        let (status, seconds) = run.wait()
        #expect(status == 128 + SIGTERM && seconds < 3, "\(run.standardError)")
        #expect(run.standardError.contains("measured configurations per chain at N = 1000"), "\(run.standardError)")
        let line = try #require(run.standardError.split(separator: "\n").first { $0.hasPrefix("resume with: ") })
        let resumed = try BuiltBinary(["-c", String(line.dropFirst("resume with: ".count))], executable: "/bin/sh")
        #expect(resumed.wait(seconds: 300).status == 0, "\(resumed.standardError)")
        let straight = try temporaryDirectory().appendingPathComponent("straight")
        #expect(try BuiltBinary.run(["run", yaml.path, "--output", straight.path]).status == 0)
        let a = try String(contentsOf: stopped.appendingPathComponent("observables.csv"), encoding: .utf8)
        let b = try String(contentsOf: straight.appendingPathComponent("observables.csv"), encoding: .utf8)
        #expect(a == b)
    }

    /// phi^4 from the cos-network on a 4 x 4 lattice: at N = 400 its <phi^2> and chi2
    /// agree with the HMC reference within 4.5 combined errors; the free-field
    /// network's correlator_k.csv holds G(k) = 1/(khat^2 + m2) within errors.
    @Test func phiFourNetworkApproachesHMC() throws {
        let out = try temporaryDirectory().appendingPathComponent("phi4")
        let yaml = """
            mode: nnft
            network: {activation: cos, width: [10, 400]}
            lattice: {extent: [4, 4]}
            theory: {m2: 0.5, lambda: 6}
            ensemble: {networks: 32768, chains: 8, thermalization: 50}
            reference: {samples: 65536, chains: 8, thermalization: 100}
            """
        let (status, standardError) = try BuiltBinary.run(["run", try config(yaml).path, "--output", out.path])
        #expect(status == 0, "\(standardError)")
        let s = try summary(out)
        let ensembles = try #require(s["ensembles"] as? [[String: Any]])
        let wide = try #require(ensembles.last?["observables"] as? [String: [String: Double]])
        for name in ["phi2", "chi2"] {
            let deviation = try #require(wide[name]?["deviation"], "\(name)")
            #expect(abs(deviation) < 4.5, "\(name) at N = 400: \(wide[name] ?? [:])")
        }
        #expect((s["reference"] as? [String: Any])?["method"] as? String == "hmc")
        #expect(entries(out).isSuperset(of: ["observables.csv", "correlator_k.csv", "summary.json"]))

        let free = try temporaryDirectory().appendingPathComponent("free")
        let freeYaml = """
            mode: nnft
            network: {activation: cos, width: 7}
            lattice: {extent: [6, 4]}
            theory: {m2: 0.3, lambda: 0}
            ensemble: {networks: 200000}
            """
        #expect(try BuiltBinary.run(["run", try config(freeYaml).path, "--output", free.path]).status == 0)
        let momenta = try rows(free, "correlator_k.csv")
        #expect(momenta.count == 24)
        for row in momenta {
            let khat2 = try #require(row["khat2"].flatMap(Double.init)), exact = try #require(row["exact"].flatMap(Double.init))
            #expect(abs(exact - 1 / (khat2 + 0.3)) < 1e-12 * exact)
            #expect(abs(try #require(row["deviation"].flatMap(Double.init))) < 4.5, "\(row)")
        }
    }

    /// One network (no error can be estimated) and one deformed configuration per
    /// chain: the run finishes, the summary is valid JSON without non-finite numbers,
    /// and the warnings say why the numbers cannot be trusted.
    @Test(arguments: [
        "network: {activation: erf, width: [1, 3]}\nlattice: {extent: [3]}\nensemble: {networks: 1}",
        "network: {activation: cos, width: [1, 3]}\nlattice: {extent: [2]}\ntheory: {m2: 1, lambda: 1}\n"
            + "ensemble: {networks: 1, chains: 1, thermalization: 0}\nreference: {samples: 1, chains: 1, thermalization: 0}",
    ])
    func tinyCountsAreWarnedNotFatal(body: String) throws {
        let out = try temporaryDirectory().appendingPathComponent("tiny")
        let (status, standardError) = try BuiltBinary.run(["run", try config("mode: nnft\n" + body).path, "--output", out.path])
        #expect(status == 0, "\(standardError)")
        let warnings = try #require(try summary(out)["warnings"] as? [String])
        #expect(!warnings.isEmpty && standardError.contains("warning: "))
    }
}
