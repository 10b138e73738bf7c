import SimulationConfig

/// The kinds of run `nqft` knows, by the config type that selects each (its
/// `mode:` values): the one place a new kind is registered.
public enum RunCatalog {
    public static let kinds: [any RunnableDescription.Type] = [
        GroundStateConfiguration.self,
        EuclideanConfiguration.self,
        NetworkConfiguration.self,
    ]

    /// Reads and validates the config at `path`, of any registered kind.
    public static func load(path: String) throws -> any RunnableDescription {
        try cast(ConfigFile.load(path: path, kinds: kinds), file: path)
    }

    /// Validates a config of any registered kind given as YAML text.
    public static func parse(yaml: String, defaultName: String, file: String = "<config>") throws -> any RunnableDescription {
        try cast(ConfigFile.parse(yaml: yaml, defaultName: defaultName, file: file, kinds: kinds), file: file)
    }

    private static func cast(_ description: any RunDescription, file: String) throws -> any RunnableDescription {
        guard let runnable = description as? any RunnableDescription else {
            throw ConfigError(file: file, issues: [ConfigIssue(path: "mode", message: "no run is registered for this kind")])
        }
        return runnable
    }

    /// Every file any kind writes into a run directory: what `--force` clears
    /// (a directory may hold another kind's run) and what marks a run directory.
    public static var files: [String] {
        var all = [SummaryFile.name, CheckpointFile.name]
        for kind in kinds { for file in kind.kindFiles where !all.contains(file) { all.append(file) } }
        return all
    }
}
