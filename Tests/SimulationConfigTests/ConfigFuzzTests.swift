import Foundation
import SimulationConfig
import Statistics
import Testing
import TestSupport

/// Mutates the bundled configs thousands of times (deleted, duplicated and
/// truncated lines, replaced values, random keys, garbage bytes): validation
/// must never crash or hang, and must return either a valid run or an error that
/// names where the problem is.
@Suite struct ConfigFuzzTests {
    static let values = [
        "-1", "0", "1", "2.5", "1e308", "-1e308", "1e999", "99999999999999999999", "nan", ".inf", "abc", "\"\"", "~",
        "[1, 2]", "[]", "{}", "[0]", "[1024, 1024, 2]", "true", "sr", "mala", "gaussian-mlp", "[[1]]", "{a: 1}",
    ]

    func mutate(_ text: String, _ rng: inout RandomSource) -> String {
        var lines = text.components(separatedBy: "\n")
        func pick(_ n: Int) -> Int { Int(rng.next() % UInt64(max(1, n))) }
        switch pick(7) {
        case 0 where !lines.isEmpty:
            lines.remove(at: pick(lines.count))
        case 1 where !lines.isEmpty:
            let i = pick(lines.count)
            lines.insert(lines[i], at: i)
        case 2:
            // Replace the value after a colon, or a whole line.
            let i = pick(lines.count)
            if let colon = lines[i].firstIndex(of: ":") {
                lines[i] = String(lines[i][...colon]) + " " + Self.values[pick(Self.values.count)]
            } else {
                lines[i] = Self.values[pick(Self.values.count)]
            }
        case 3:
            let indent = String(repeating: " ", count: 2 * pick(3))
            lines.insert("\(indent)key\(pick(100)): \(Self.values[pick(Self.values.count)])", at: pick(lines.count + 1))
        case 4:
            let joined = lines.joined(separator: "\n")
            return String(joined.prefix(pick(joined.count + 1)))
        case 5:
            let joined = Array(lines.joined(separator: "\n").unicodeScalars)
            var out = joined
            for _ in 0..<(1 + pick(5)) {
                let scalar = Unicode.Scalar(UInt32(pick(0x7F - 0x20) + 0x20)) ?? "?"
                out.insert(scalar, at: pick(out.count + 1))
            }
            return String(String.UnicodeScalarView(out))
        default:
            let i = pick(lines.count)
            lines[i] = String(repeating: " ", count: pick(6)) + lines[i].trimmingCharacters(in: .whitespaces)
        }
        return lines.joined(separator: "\n")
    }

    @Test(arguments: [1 as UInt64, 2, 3])
    func mutatedConfigsNeverCrash(seed: UInt64) throws {
        let originals = try bundledConfigs.map { try String(contentsOf: $0, encoding: .utf8) }
        var rng = RandomSource(seed: seed)
        var valid = 0, invalid = 0
        for round in 0..<1000 {
            var text = originals[Int(rng.next() % UInt64(originals.count))]
            for _ in 0..<(1 + Int(rng.next() % 3)) { text = mutate(text, &rng) }
            do {
                switch try parseAny(text, defaultName: "fuzz") {
                case let config as GroundStateConfiguration:
                    #expect(config.lattice.extent.reduce(1, *) <= GroundStateConfiguration.maximumVolume)
                    #expect(config.optimizer.samples % config.sampler.chains == 0, "seed \(seed) round \(round)")
                case let config as EuclideanConfiguration:
                    #expect(config.lattice.extent.reduce(1, *) <= GroundStateConfiguration.maximumVolume)
                    #expect(config.measurement.samples % config.sampler.chains == 0, "seed \(seed) round \(round)")
                case let config as NetworkConfiguration:
                    #expect(config.pointCount <= NetworkConfiguration.maximumPoints, "seed \(seed) round \(round)")
                    #expect(config.ensemble.fourPoint.allSatisfy { $0.count == 4 && $0.allSatisfy { $0 < config.pointCount } })
                default:
                    Issue.record("an unknown kind of config")
                }
                valid += 1
            } catch let error as ConfigError {
                #expect(!error.issues.isEmpty, "seed \(seed) round \(round)")
                #expect(error.issues.allSatisfy { !$0.message.isEmpty }, "seed \(seed) round \(round)")
                invalid += 1
            }
        }
        // Both outcomes occur, so the mutations exercise acceptance and rejection.
        #expect(valid > 0 && invalid > 0, "seed \(seed): \(valid) valid, \(invalid) invalid")
    }

    @Test func binaryGarbageIsAClearError() throws {
        let url = try temporaryDirectory().appendingPathComponent("garbage.yaml")
        try Data((0..<256).map { UInt8($0) } + [0xFF, 0xFE, 0x00]).write(to: url)
        #expect(throws: ConfigError.self) { try GroundStateConfiguration.load(path: url.path) }
    }
}
