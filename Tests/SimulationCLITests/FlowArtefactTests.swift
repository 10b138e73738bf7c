import Foundation
import Testing
import TestSupport

/// A flow run's training as a user meets it on the release binary: a schedule of
/// lattices reported per lattice in training.csv and summary.json, a stop during
/// training resumed to the same numbers, the trained flow saved as flow.json and
/// started from again (the same samples bit for bit), and every file that is not
/// a flow this run can start from refused before any work (exit 2, `flow.initial`).
@Suite(.enabled(if: BuiltBinary.isBuilt, "needs the release build"), .serialized)
struct FlowArtefactTests {
    static func yaml(lattice: [Int], flow: String, seed: Int = 3) -> String {
        """
        mode: euclidean
        seed: \(seed)
        lattice: {extent: \(lattice)}
        theory: {convention: flow, m2: -4, lambda: 6.975}
        sampler: {kind: flow, chains: 8, thermalization: 4}
        flow: {kind: kernel-coupling, layers: 2, batch: 32, validation_every: 50, validation_samples: 64, \(flow)}
        measurement: {samples: 2048}
        """
    }

    static func text(_ directory: URL, _ file: String) throws -> String {
        try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
    }

    /// flow.json's parameters.
    static func parameters(_ directory: URL) throws -> [Double] {
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("flow.json"))) as? [String: Any]
        let flow = try #require(json?["flow"] as? [String: Any])
        return try #require(flow["parameters"] as? [Double])
    }

    @Test func scheduleRunReportsEachLatticeAndResumesToTheSameFlow() throws {
        let config = try writeConfig(Self.yaml(lattice: [8, 8], flow: "schedule: [{extent: [4, 4], steps: 300}, {extent: [8, 8], steps: 300}]"))
        let straight = try temporaryDirectory().appendingPathComponent("straight")
        let (status, standardError) = try BuiltBinary.run(["run", config.path, "--output", straight.path])
        #expect(status == 0, "\(standardError)")
        let rows = try Self.text(straight, "training.csv").split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        #expect(rows.first?.joined(separator: ",")
            == "step,loss,batch_ess,seconds,lattice,loss_per_site,kl_per_site,log_z_per_site,gradient_norm,learning_rate,validation_ess")
        #expect(rows.count == 601)
        #expect(rows.dropFirst().prefix(300).allSatisfy { $0[4] == "4x4" } && rows.suffix(300).allSatisfy { $0[4] == "8x8" })
        // Validations every 50 steps and at each lattice's last; the divergence estimate is >= 0 up to its batch noise.
        let validated = rows.dropFirst().filter { !$0[10].isEmpty }.map { Int($0[0]) ?? -1 }
        #expect(validated == Array(stride(from: 50, through: 600, by: 50)), "\(validated)")
        let sampler = try #require(try readSummary(straight)["sampler"] as? [String: Any])
        let training = try #require(sampler["training"] as? [String: Any])
        let schedule = try #require(training["schedule"] as? [[String: Any]])
        #expect(schedule.map { $0["extent"] as? [Int] ?? [] } == [[4, 4], [8, 8]])
        #expect(schedule.allSatisfy { ($0["seconds"] as? Double ?? 0) > 0 && $0["steps"] as? Int == 300 })
        let cost = try #require(sampler["seconds_per_independent_measurement"] as? [String: [String: Double]])
        for name in ["abs_magnetization", "chi2"] {
            let c = try #require(cost[name])
            #expect((c["measurement"] ?? 0) > 0 && (c["with_training"] ?? 0) > (c["measurement"] ?? 0), "\(name): \(c)")
        }

        let stopped = try temporaryDirectory().appendingPathComponent("stopped")
        let run = try BuiltBinary(["run", config.path, "--output", stopped.path])
        #expect(run.waitFor("training "), "\(run.standardError)")
        Thread.sleep(forTimeInterval: 0.4)
        run.send(SIGINT)
        #expect(run.wait().status == 128 + SIGINT, "\(run.standardError)")
        #expect(!FileManager.default.fileExists(atPath: stopped.appendingPathComponent("flow.json").path), "flow.json before the training ended")
        let line = try #require(run.standardError.split(separator: "\n").first { $0.hasPrefix("resume with: ") })
        let resumed = try BuiltBinary(["-c", String(line.dropFirst("resume with: ".count))], executable: "/bin/sh")
        #expect(resumed.wait(seconds: 300).status == 0, "\(resumed.standardError)")
        #expect(try Self.parameters(stopped) == Self.parameters(straight))
        #expect(try Self.text(stopped, "correlator_k.csv") == Self.text(straight, "correlator_k.csv"))
        let losses = { (d: URL) in try Self.text(d, "training.csv").split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).enumerated().filter { $0.offset != 3 && $0.offset != 10 }.map(\.element) } }
        #expect(try losses(stopped) == losses(straight))
    }

    @Test func savedFlowSamplesTheSameAndIsCheckedOnLoad() throws {
        let trained = try temporaryDirectory().appendingPathComponent("trained")
        #expect(try BuiltBinary.run(["run", try writeConfig(Self.yaml(lattice: [4, 4], flow: "steps: 200")).path, "--output", trained.path]).status == 0)
        let saved = trained.appendingPathComponent("flow.json")

        // steps: 0 from the saved flow, the same seed: the same proposals, so the same measurement bit for bit.
        let again = try temporaryDirectory().appendingPathComponent("again")
        let reload = try writeConfig(Self.yaml(lattice: [4, 4], flow: "steps: 0, initial: \(saved.path)"))
        let (status, standardError) = try BuiltBinary.run(["run", reload.path, "--output", again.path])
        #expect(status == 0, "\(standardError)")
        for file in ["correlator_k.csv", "correlator_t.csv"] { #expect(try Self.text(again, file) == Self.text(trained, file), "\(file)") }
        let observables = { (d: URL) in try readSummary(d)["observables"] as? [String: [String: Double]] ?? [:] }
        #expect(try observables(again) == observables(trained) && !(try observables(again).isEmpty))
        #expect(try Self.parameters(again) == Self.parameters(trained))

        // On a larger lattice it starts training (here: samples at once).
        let larger = try temporaryDirectory().appendingPathComponent("larger")
        let up = try writeConfig(Self.yaml(lattice: [8, 8], flow: "steps: 0, initial: \(saved.path)"))
        #expect(try BuiltBinary.run(["run", up.path, "--output", larger.path]).status == 0)

        // A run stopped while training on from a saved flow resumes after the saved flow has gone.
        let moved = try temporaryDirectory().appendingPathComponent("flow.json")
        try FileManager.default.copyItem(at: saved, to: moved)
        let onward = try temporaryDirectory().appendingPathComponent("onward")
        let long = try writeConfig(Self.yaml(lattice: [8, 8], flow: "steps: 4000, initial: \(moved.path)"))
        let run = try BuiltBinary(["run", long.path, "--output", onward.path])
        #expect(run.waitFor("training "), "\(run.standardError)")
        Thread.sleep(forTimeInterval: 0.3)
        run.send(SIGINT)
        #expect(run.wait().status == 128 + SIGINT, "\(run.standardError)")
        try FileManager.default.removeItem(at: moved)
        let line = try #require(run.standardError.split(separator: "\n").first { $0.hasPrefix("resume with: ") })
        let resumed = try BuiltBinary(["-c", String(line.dropFirst("resume with: ".count))], executable: "/bin/sh")
        #expect(resumed.wait(seconds: 300).status == 0, "\(resumed.standardError)")

        // Refused before any work: missing, truncated, edited, another architecture or kind, a smaller lattice.
        let original = try Data(contentsOf: saved)
        let text = String(decoding: original, as: UTF8.self)
        let broken = try temporaryDirectory()
        let edited = text.replacingOccurrences(of: "\"parameters\" : [\n", with: "\"parameters\" : [\n      1.5,\n")
        #expect(edited != text)
        let files = [
            ("missing.json", nil, "cannot be read"),
            ("truncated.json", Data(original.prefix(original.count / 2)), "is not a saved flow"),
            ("edited.json", Data(edited.utf8), "checksum"),
        ]
        var cases: [(String, String, String)] = []
        for (name, data, why) in files {
            let path = broken.appendingPathComponent(name).path
            if let data { try data.write(to: URL(fileURLWithPath: path)) }
            cases.append((Self.yaml(lattice: [4, 4], flow: "steps: 10, initial: \(path)"), name, why))
        }
        cases += [
            (Self.yaml(lattice: [4, 4], flow: "steps: 10, initial: \(saved.path)").replacingOccurrences(of: "layers: 2", with: "layers: 3"), "layers", "layers 2"),
            (Self.yaml(lattice: [2, 2], flow: "steps: 10, initial: \(saved.path)"), "smaller lattice", "larger than"),
            (Self.yaml(lattice: [4, 4], flow: "steps: 10, initial: \(saved.path)").replacingOccurrences(of: "kind: kernel-coupling, layers: 2,", with: "layers: 2,"),
             "real-nvp", "kernel-coupling"),
        ]
        for (yaml, name, why) in cases {
            let out = try temporaryDirectory().appendingPathComponent("refused")
            let (status, standardError) = try BuiltBinary.run(["run", try writeConfig(yaml).path, "--output", out.path])
            #expect(status == 2 && standardError.contains("flow.initial") && standardError.contains(why), "\(name): \(status) \(standardError)")
            #expect(!FileManager.default.fileExists(atPath: out.path), "\(name): a refused run leaves no directory")
        }
    }
}
