import Foundation
import Yams

/// A validated config of any kind of run, chosen by its `mode:` key.
public enum ConfiguredRun: Sendable, Equatable {
    /// `mode: ground-state` (the default): the variational ground state.
    case groundState(RunConfiguration)
    /// `mode: euclidean` or `mode: path-integral`: field configurations sampled from exp(-S).
    case field(EuclideanConfiguration)
    /// `mode: nnft`: ensembles of random networks as field theories.
    case network(NetworkConfiguration)

    /// Reads and validates the config at `path`; `name` defaults to the file's stem.
    ///
    /// - Throws: `ConfigError` listing every problem.
    public static func load(path: String) throws -> ConfiguredRun {
        let stem = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(file: path, issues: [ConfigIssue(path: "", message: "cannot read the file")])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(file: path, issues: [ConfigIssue(path: "", message: "the file is not UTF-8 text")])
        }
        return try parse(yaml: text, defaultName: stem, file: path)
    }

    /// Validates a config given as YAML text.
    public static func parse(yaml: String, defaultName: String, file: String = "<config>") throws -> ConfiguredRun {
        let root = try RunConfiguration.compose(yaml: yaml, file: file)
        let reader = ConfigReader()
        var mode = RunMode.groundState
        if case .mapping(let mapping) = root, let node = mapping["mode"] {
            mode = reader.choice(node, path: "mode", as: RunMode.self) ?? .groundState
        }
        if !reader.issues.isEmpty { throw ConfigError(file: file, issues: reader.issues) }
        let resolved: ConfiguredRun?
        switch mode {
        case .groundState:
            resolved = RunConfiguration.resolve(root, reader: reader, defaultName: defaultName).map(ConfiguredRun.groundState)
        case .euclidean, .pathIntegral:
            let doc = reader.mapping(root, path: "", allowed: EuclideanConfiguration.topKeys)
            resolved = doc.flatMap {
                EuclideanConfiguration.resolve($0, root: root, mode: mode, defaultName: defaultName, reader)
            }.map(ConfiguredRun.field)
        case .nnft:
            let doc = reader.mapping(root, path: "", allowed: NetworkConfiguration.topKeys)
            resolved = doc.flatMap {
                NetworkConfiguration.resolve($0, root: root, defaultName: defaultName, reader)
            }.map(ConfiguredRun.network)
        }
        if let resolved, reader.issues.isEmpty { return resolved }
        throw ConfigError(file: file, issues: reader.issues)
    }

    /// The run's name and output section, whatever its kind.
    public var output: RunConfiguration.OutputSection {
        switch self {
        case .groundState(let c): return c.output
        case .field(let c): return c.output
        case .network(let c): return c.output
        }
    }
}
