import SimulationConfig

/// Every kind of run's config (the command line's registry lives above this module).
let allKinds: [any RunDescription.Type] = [GroundStateConfiguration.self, EuclideanConfiguration.self, NetworkConfiguration.self]

/// A config of any kind from YAML text.
func parseAny(_ yaml: String, defaultName: String = "t") throws -> any RunDescription {
    try ConfigFile.parse(yaml: yaml, defaultName: defaultName, kinds: allKinds)
}
