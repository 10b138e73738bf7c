import Foundation

/// One key whose value differs between two resolved configs.
public struct ConfigurationDifference: Sendable, Equatable, CustomStringConvertible {
    /// The key path as in the config file (`theory.m2`).
    public var path: String
    /// The values, as JSON text ("absent" for a key one side lacks).
    public var old: String
    public var new: String

    public var description: String { "\(path) is \(old) there, \(new) here" }
}

extension RunDescription {
    /// The keys whose values differ from `other`, by key path, leaving out
    /// `output` (where a run directory is and how often it checkpoints are not
    /// part of the run: a moved directory resumes). The same comparison for every
    /// kind of run: the resolved configs' leaves, as encoded.
    public func differences(from other: Self) -> [ConfigurationDifference] {
        let mine = Self.flattened(self), theirs = Self.flattened(other)
        return Set(mine.keys).union(theirs.keys).sorted().compactMap { path in
            if path == "output" || path.hasPrefix("output.") { return nil }
            let a = mine[path] ?? "absent", b = theirs[path] ?? "absent"
            return a == b ? nil : ConfigurationDifference(path: path, old: a, new: b)
        }
    }

    /// Every leaf of the config as `key.path -> JSON text` (list entries as `key[i]`).
    private static func flattened(_ configuration: Self) -> [String: String] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        guard let data = try? encoder.encode(configuration), let tree = try? JSONSerialization.jsonObject(with: data) else { return [:] }
        var leaves: [String: String] = [:]
        func walk(_ node: Any, _ path: String) {
            if let mapping = node as? [String: Any] {
                for (key, value) in mapping { walk(value, path.isEmpty ? key : "\(path).\(key)") }
            } else if let data = try? JSONSerialization.data(withJSONObject: node, options: [.fragmentsAllowed, .sortedKeys]) {
                leaves[path] = String(decoding: data, as: UTF8.self)
            }
        }
        walk(tree, "")
        return leaves
    }
}
