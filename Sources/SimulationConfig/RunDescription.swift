import Yams

/// A validated, fully resolved config of one kind of run, chosen by its `mode:`
/// key: every default filled in, every key checked, so the code that runs it
/// never re-validates. It encodes with the config file's snake_case keys (the
/// resolved config that `nqft validate` prints and summary.json records).
///
/// A new kind of run brings its own description (this protocol) and its own
/// reader; `ConfigFile` finds it by `modes` in the list of kinds it is given.
public protocol RunDescription: Sendable, Codable, Equatable {
    /// The values of `mode:` that select this kind (the first is its name).
    static var modes: [String] { get }

    /// Reads and checks `document`, whose `mode` is one of `modes`, recording
    /// every problem in `reader` (nil when a problem leaves nothing to build).
    static func read(_ document: ConfigDocument, _ reader: ConfigReader) -> Self?

    /// The run's name (a file name; the default directory is runs/NAME).
    var name: String { get }
    /// The seed every random stream of the run derives from.
    var seed: UInt64 { get set }
    /// Where the run directory is and how often it is checkpointed (not part of the run).
    var output: OutputSection { get set }
}

/// A config file's YAML tree, with what every kind's reader needs first.
public struct ConfigDocument {
    /// The whole tree (problems with a missing top-level key point at it).
    public let root: Node
    /// The top-level mapping, checked against `allowed` by `topLevel(_:_:)`.
    public let mapping: Node.Mapping?
    /// `mode:` as written (the default kind's first mode when absent).
    public let mode: String
    /// The file's stem: the run's name when `name:` is absent.
    public let defaultName: String

    /// The top-level keys, after checking that each is one of `allowed` (`mode` always is).
    public func topLevel(_ allowed: [String], _ reader: ConfigReader) -> [String: Node]? {
        reader.mapping(root, path: "", allowed: ["mode"] + allowed)
    }

    /// `name`, which makes the default directory runs/NAME: it must stay one path component.
    public func name(_ node: Node?, _ r: ConfigReader) -> String {
        let name = r.string(node, path: "name") ?? defaultName
        if name.contains("/") || name.contains("\0") || name == "." || name == ".." {
            r.report("name", node, "`\(name)` is not allowed; a run name is one file name (no `/`, not `.` or `..`)")
            return defaultName
        }
        return name
    }

    /// `seed`: 0 to 2^63 - 1, default 1234.
    public func seed(_ node: Node?, _ r: ConfigReader) -> UInt64 {
        r.integer(node, path: "seed", in: 0...Int.max).map(UInt64.init) ?? 1234
    }
}

extension RunDescription {
    /// Validates a config of this kind given as YAML text.
    ///
    /// - Throws: `ConfigError` listing every problem (a config of another kind among them).
    public static func parse(yaml: String, defaultName: String, file: String = "<config>") throws -> Self {
        guard let description = try ConfigFile.parse(yaml: yaml, defaultName: defaultName, file: file, kinds: [Self.self]) as? Self
        else { throw ConfigError(file: file, issues: [ConfigIssue(path: "mode", message: "not a \(modes[0]) run")]) }
        return description
    }

    /// Reads and validates the config of this kind at `path`.
    public static func load(path: String) throws -> Self {
        try parse(yaml: ConfigFile.text(path: path), defaultName: ConfigFile.stem(path), file: path)
    }
}
