import Foundation
import Yams

extension RunConfiguration {
    /// Largest extent per direction, and largest volume, that a config may ask for.
    public static let maximumExtent = 1024
    public static let maximumVolume = 1 << 20

    /// Reads and validates the ground-state config at `path`; `name` defaults to the file's stem.
    ///
    /// - Throws: `ConfigError` listing every problem (unreadable file, YAML syntax
    ///   with line and column, unknown keys, wrong types, out-of-range or
    ///   inconsistent values, a `mode` other than the ground state).
    public static func load(path: String) throws -> RunConfiguration {
        try groundState(ConfiguredRun.load(path: path), file: path)
    }

    /// Validates a ground-state config given as YAML text.
    public static func parse(yaml: String, defaultName: String, file: String = "<config>") throws -> RunConfiguration {
        try groundState(ConfiguredRun.parse(yaml: yaml, defaultName: defaultName, file: file), file: file)
    }

    private static func groundState(_ run: ConfiguredRun, file: String) throws -> RunConfiguration {
        switch run {
        case .groundState(let configuration): return configuration
        case .field(let configuration):
            throw ConfigError(file: file, issues: [ConfigIssue(path: "mode", message: "`\(configuration.mode.rawValue)` is not a ground-state run")])
        case .network:
            throw ConfigError(file: file, issues: [ConfigIssue(path: "mode", message: "`nnft` is not a ground-state run")])
        }
    }

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

    /// Reads every section in turn; later sections' defaults and checks depend
    /// on earlier ones (the sweep on the volume, the learning rate on m2 and the
    /// ansatz, sample counts on the chains), so the order is the file's.
    static func resolve(_ root: Node, reader r: ConfigReader, defaultName: String) -> RunConfiguration? {
        let top = ["mode", "name", "seed", "lattice", "theory", "ansatz", "sampler", "optimizer", "evaluation", "output"]
        guard let doc = r.mapping(root, path: "", allowed: top) else { return nil }

        let name = readName(doc["name"], defaultName: defaultName, r)
        let seed = r.integer(doc["seed"], path: "seed", in: 0...Int.max).map(UInt64.init) ?? 1234
        let lattice = LatticeSection.read(doc["lattice"], in: root, r)
        let theory = TheorySection.read(doc["theory"], in: root, r)
        let ansatz = AnsatzSection.read(doc["ansatz"], theory: theory, r)
        let sampler = SamplerSection.read(doc["sampler"], lattice: lattice, r)
        let optimizer = OptimizerSection.read(
            doc["optimizer"], lattice: lattice, theory: theory, ansatz: ansatz, chains: sampler.chains, r)
        let evaluation = EvaluationSection.read(doc["evaluation"], chains: sampler.chains, r)
        let output = OutputSection.read(doc["output"], name: name, r)
        guard let lattice, let theory else { return nil }
        return RunConfiguration(
            name: name, seed: seed, lattice: lattice, theory: theory, ansatz: ansatz, sampler: sampler,
            optimizer: optimizer, evaluation: evaluation, output: output)
    }

    /// `name`, which makes the default directory runs/NAME: it must stay one path component.
    static func readName(_ node: Node?, defaultName: String, _ r: ConfigReader) -> String {
        let name = r.string(node, path: "name") ?? defaultName
        if name.contains("/") || name.contains("\0") || name == "." || name == ".." {
            r.report("name", node, "`\(name)` is not allowed; a run name is one file name (no `/`, not `.` or `..`)")
            return defaultName
        }
        return name
    }

    /// Samples are drawn a sweep at a time, one per chain, so a sample count must
    /// be a whole number of sweeps.
    static func checkMultiple(_ samples: Int, of chains: Int, path: String, node: Node?, _ r: ConfigReader) {
        if samples % chains != 0 || samples < chains {
            r.report(path, node, "\(samples) is not a positive multiple of sampler.chains = \(chains) (samples are drawn one per chain per sweep)")
        }
    }
}
