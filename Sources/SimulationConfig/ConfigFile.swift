import Foundation
import Yams

/// Reading a config file into the description of its kind of run: the YAML
/// tree, the `mode:` that picks the kind among `kinds`, and that kind's reader.
/// Every problem is collected and thrown at once as a `ConfigError`.
public enum ConfigFile {
    /// Reads and validates the config at `path`; `name` defaults to the file's stem.
    public static func load(path: String, kinds: [any RunDescription.Type]) throws -> any RunDescription {
        try parse(yaml: text(path: path), defaultName: stem(path), file: path, kinds: kinds)
    }

    /// Validates a config given as YAML text; the first of `kinds` is the default when `mode:` is absent.
    public static func parse(
        yaml: String, defaultName: String, file: String = "<config>", kinds: [any RunDescription.Type]
    ) throws -> any RunDescription {
        let root = try compose(yaml: yaml, file: file)
        let reader = ConfigReader()
        var mapping: Node.Mapping?
        if case .mapping(let m) = root { mapping = m }
        let modes = kinds.flatMap { $0.modes }
        var mode = modes.first ?? ""
        if let node = mapping?["mode"] {
            if case .scalar(let scalar) = node, modes.contains(scalar.string) {
                mode = scalar.string
            } else {
                reader.report("mode", node, "is not allowed; expected one of \(modes.joined(separator: ", "))")
                throw ConfigError(file: file, issues: reader.issues)
            }
        }
        guard let kind = kinds.first(where: { $0.modes.contains(mode) }) else {
            throw ConfigError(file: file, issues: [ConfigIssue(path: "mode", message: "no kind of run is registered")])
        }
        let document = ConfigDocument(root: root, mapping: mapping, mode: mode, defaultName: defaultName)
        let description = kind.read(document, reader)
        if let description, reader.issues.isEmpty { return description }
        throw ConfigError(file: file, issues: reader.issues)
    }

    /// The file's text.
    static func text(path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(file: path, issues: [ConfigIssue(path: "", message: "cannot read the file")])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(file: path, issues: [ConfigIssue(path: "", message: "the file is not UTF-8 text")])
        }
        return text
    }

    static func stem(_ path: String) -> String { URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent }

    /// The YAML tree of a config, or its syntax error with line and column.
    static func compose(yaml: String, file: String) throws -> Node {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw ConfigError(file: file, issues: [syntaxIssue(error)])
        }
        guard let root else {
            throw ConfigError(file: file, issues: [ConfigIssue(path: "", message: "the file is empty; `lattice` and `theory` are required")])
        }
        return root
    }

    private static func syntaxIssue(_ error: YamlError) -> ConfigIssue {
        switch error {
        case .scanner(let context, let problem, let mark, _),
            .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let detail = context.map { "\(problem) (\($0.text))" } ?? problem
            return ConfigIssue(path: "", line: mark.line, column: mark.column, message: "YAML syntax error: \(detail)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return ConfigIssue(
                path: "", line: context.mark.line, column: context.mark.column,
                message: "duplicated keys: \(duplicates.joined(separator: ", "))")
        default:
            return ConfigIssue(path: "", message: "YAML error: \(error)")
        }
    }
}
