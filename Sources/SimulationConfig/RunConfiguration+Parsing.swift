import Foundation
import Yams

extension RunConfiguration {
    /// Largest extent per direction, and largest volume, that a config may ask for.
    public static let maximumExtent = 1024
    public static let maximumVolume = 1 << 20

    /// Reads and validates the config at `path`; `name` defaults to the file's stem.
    ///
    /// - Throws: `ConfigError` listing every problem (unreadable file, YAML syntax
    ///   with line and column, unknown keys, wrong types, out-of-range or
    ///   inconsistent values).
    public static func load(path: String) throws -> RunConfiguration {
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
    public static func parse(yaml: String, defaultName: String, file: String = "<config>") throws -> RunConfiguration {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw ConfigError(file: file, issues: [syntaxIssue(error)])
        }
        let reader = ConfigReader()
        guard let root else {
            throw ConfigError(file: file, issues: [ConfigIssue(path: "", message: "the file is empty; `lattice` and `theory` are required")])
        }
        let resolved = resolve(root, reader: reader, defaultName: defaultName)
        if let resolved, reader.issues.isEmpty { return resolved }
        throw ConfigError(file: file, issues: reader.issues)
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

    private static func resolve(_ root: Node, reader r: ConfigReader, defaultName: String) -> RunConfiguration? {
        let top = ["name", "seed", "lattice", "theory", "ansatz", "sampler", "optimizer", "evaluation", "output"]
        guard let doc = r.mapping(root, path: "", allowed: top) else { return nil }

        var name = r.string(doc["name"], path: "name") ?? defaultName
        // The name makes the default directory runs/NAME: it must stay one path component.
        if name.contains("/") || name.contains("\0") || name == "." || name == ".." {
            r.report("name", doc["name"], "`\(name)` is not allowed; a run name is one file name (no `/`, not `.` or `..`)")
            name = defaultName
        }
        let seed = r.integer(doc["seed"], path: "seed", in: 0...Int.max).map(UInt64.init) ?? 1234

        // lattice
        var extent: [Int]?
        if doc["lattice"] == nil { r.report("lattice", root, "is required (e.g. `lattice: {extent: [16]}`)") }
        if let lattice = r.mapping(doc["lattice"], path: "lattice", allowed: ["extent"]) {
            if lattice["extent"] == nil { r.report("lattice.extent", doc["lattice"], "is required: a list of 1 to 3 extents") }
            if let items = r.sequence(lattice["extent"], path: "lattice.extent", expected: "a list of 1 to 3 integers") {
                if !(1...3).contains(items.count) {
                    r.report("lattice.extent", lattice["extent"], "has \(items.count) entries; a lattice has 1, 2 or 3 dimensions")
                } else {
                    let values = items.enumerated().map { i, node in
                        r.integer(node, path: "lattice.extent[\(i)]", in: 1...maximumExtent)
                    }
                    if values.allSatisfy({ $0 != nil }) { extent = values.map { $0! } }
                }
            }
        }
        if let e = extent, e.reduce(1, *) > maximumVolume {
            r.report("lattice.extent", doc["lattice"], "\(e) has \(e.reduce(1, *)) sites; at most \(maximumVolume) are allowed")
            extent = nil
        }
        let volume = extent?.reduce(1, *) ?? 1

        // theory
        var m2: Double?, lambda: Double?
        if doc["theory"] == nil { r.report("theory", root, "is required (e.g. `theory: {m2: 1.0, lambda: 0.0}`)") }
        if let theory = r.mapping(doc["theory"], path: "theory", allowed: ["m2", "lambda"]) {
            if theory["m2"] == nil { r.report("theory.m2", doc["theory"], "is required") }
            if theory["lambda"] == nil { r.report("theory.lambda", doc["theory"], "is required") }
            m2 = r.number(theory["m2"], path: "theory.m2", where: { _ in true }, "")
            lambda = r.number(theory["lambda"], path: "theory.lambda", where: { $0 >= 0 }, ">= 0")
            if let m2, let lambda, lambda == 0, m2 <= 0 {
                r.report("theory.m2", theory["m2"], "\(m2) is not allowed with lambda = 0: the free theory needs m2 > 0")
            }
        }

        // ansatz
        let networkKeys = ["hidden", "activation", "symmetrize", "output_scale", "kernel", "tail"]
        let ansatz = r.mapping(doc["ansatz"], path: "ansatz", allowed: ["kind", "initial_frequency"] + networkKeys) ?? [:]
        let ansatzKind = r.choice(ansatz["kind"], path: "ansatz.kind", as: AnsatzKind.self) ?? .gaussian
        let initialFrequency = r.number(ansatz["initial_frequency"], path: "ansatz.initial_frequency", where: { $0 > 0 }, "> 0") ?? 1
        var hidden: [Int]?, activation: ActivationKind?, symmetrize: Bool?, outputScale: Double?, kernel: Int?
        var tail: Bool?
        if ansatzKind.isNeural {
            hidden = [32]
            if let items = r.sequence(ansatz["hidden"], path: "ansatz.hidden", expected: "a list of 1 to 4 layer widths") {
                if !(1...4).contains(items.count) {
                    r.report("ansatz.hidden", ansatz["hidden"], "has \(items.count) layers; expected 1 to 4")
                } else {
                    let widths = items.enumerated().map { i, node in r.integer(node, path: "ansatz.hidden[\(i)]", in: 1...4096) }
                    if widths.allSatisfy({ $0 != nil }) { hidden = widths.map { $0! } }
                }
            }
            activation = r.choice(ansatz["activation"], path: "ansatz.activation", as: ActivationKind.self) ?? .tanh
            symmetrize = r.boolean(ansatz["symmetrize"], path: "ansatz.symmetrize") ?? true
            outputScale = r.number(ansatz["output_scale"], path: "ansatz.output_scale", where: { $0 >= 0 }, ">= 0") ?? 0.01
            tail = r.boolean(ansatz["tail"], path: "ansatz.tail")
            if ansatzKind == .symmetric {
                kernel = r.integer(ansatz["kernel"], path: "ansatz.kernel", in: 1...64) ?? 3
            } else if ansatz["kernel"] != nil {
                r.report("ansatz.kernel", ansatz["kernel"], "is only for `ansatz.kind: symmetric`")
            }
        } else {
            for key in networkKeys where ansatz[key] != nil {
                r.report("ansatz.\(key)", ansatz[key], "configures a network; `ansatz.kind: \(ansatzKind.rawValue)` has none (use gaussian-mlp)")
            }
        }

        // sampler
        let sampler = r.mapping(
            doc["sampler"], path: "sampler",
            allowed: ["kind", "chains", "thermalization", "sweep", "discard", "target_acceptance"]) ?? [:]
        let samplerKind = r.choice(sampler["kind"], path: "sampler.kind", as: SamplerKind.self) ?? .metropolis
        let chains = r.integer(sampler["chains"], path: "sampler.chains", in: 1...65536) ?? 32
        let thermalization = r.integer(sampler["thermalization"], path: "sampler.thermalization", in: 0...1_000_000) ?? 100
        let sweep = r.integer(sampler["sweep"], path: "sampler.sweep", in: 1...1_000_000) ?? volume
        let discard = r.integer(sampler["discard"], path: "sampler.discard", in: 0...1_000_000) ?? 2
        // Below 5% the chains barely move (the widths shrink toward 0 and the
        // samples are the starting fields); above 95% they crawl.
        let target = r.number(
            sampler["target_acceptance"], path: "sampler.target_acceptance", where: { $0 >= 0.05 && $0 <= 0.95 },
            "from 0.05 to 0.95") ?? 0.5

        // optimizer
        let optimizer = r.mapping(
            doc["optimizer"], path: "optimizer",
            allowed: [
                "kind", "steps", "samples", "learning_rate", "learning_rate_final", "diag_shift", "diag_shift_final",
                "gaussian_steps", "max_step",
            ]) ?? [:]
        let optimizerKind = r.choice(optimizer["kind"], path: "optimizer.kind", as: OptimizerKind.self) ?? .sr
        let steps = r.integer(optimizer["steps"], path: "optimizer.steps", in: 0...10_000_000) ?? 300
        let samples = r.integer(optimizer["samples"], path: "optimizer.samples", in: 1...100_000_000) ?? 1024
        // Default SR step for the plain Gaussian: imaginary-time evolution of mode k
        // is stable for eta < 1/omega_k and relaxes like (1 - 2 omega_k eta)^step, so
        // eta = 0.9/omega_max (omega_max^2 = m2 + 4d) makes the slowest mode as fast
        // as stability allows. Networks keep 0.05.
        let dimensions = extent?.filter { $0 >= 2 }.count ?? 1
        let gaussianRate = 0.9 / (max(m2 ?? 0, 0) + 4 * Double(max(1, dimensions))).squareRoot()
        // A step of imaginary time (SR) or of Adam beyond 100 is no optimisation:
        // refused rather than run with parameters that never move or blow up.
        let learningRate = r.number(
            optimizer["learning_rate"], path: "optimizer.learning_rate", where: { $0 > 0 && $0 <= 100 }, "> 0 and <= 100")
            ?? (optimizerKind == .adam ? 0.01 : ansatzKind == .gaussian ? gaussianRate : 0.05)
        let learningRateFinal = r.number(
            optimizer["learning_rate_final"], path: "optimizer.learning_rate_final", where: { $0 > 0 && $0 <= 100 },
            "> 0 and <= 100")
        var diagShift: Double?, diagShiftFinal: Double?, maxStep: Double?
        if optimizerKind == .sr {
            maxStep = r.number(optimizer["max_step"], path: "optimizer.max_step", where: { $0 > 0 }, "> 0") ?? 0.5
            diagShift = r.number(optimizer["diag_shift"], path: "optimizer.diag_shift", where: { $0 >= 0 }, ">= 0") ?? 1e-3
            diagShiftFinal = r.number(optimizer["diag_shift_final"], path: "optimizer.diag_shift_final", where: { $0 > 0 }, "> 0")
            if let diagShiftFinal, diagShift == 0 {
                r.report("optimizer.diag_shift_final", optimizer["diag_shift_final"], "\(diagShiftFinal) needs optimizer.diag_shift > 0 (the decay is geometric)")
            }
        } else {
            for key in ["diag_shift", "diag_shift_final", "max_step"] where optimizer[key] != nil {
                r.report("optimizer.\(key)", optimizer[key], "is only for `optimizer.kind: sr`; remove it for \(optimizerKind.rawValue)")
            }
        }
        checkMultiple(samples, of: chains, path: "optimizer.samples", node: optimizer["samples"], r)
        var gaussianSteps: Int?
        if ansatzKind.isNeural {
            gaussianSteps = r.integer(optimizer["gaussian_steps"], path: "optimizer.gaussian_steps", in: 0...10_000_000) ?? 100
        } else if optimizer["gaussian_steps"] != nil {
            r.report("optimizer.gaussian_steps", optimizer["gaussian_steps"], "is only for neural ansätze (gaussian-mlp, symmetric)")
        }

        // evaluation
        let evaluation = r.mapping(doc["evaluation"], path: "evaluation", allowed: ["samples"]) ?? [:]
        let evaluationSamples = r.integer(evaluation["samples"], path: "evaluation.samples", in: 1...1_000_000_000) ?? 16384
        checkMultiple(evaluationSamples, of: chains, path: "evaluation.samples", node: evaluation["samples"], r)

        // output
        let output = r.mapping(doc["output"], path: "output", allowed: ["directory", "checkpoint_every"]) ?? [:]
        let directory = r.string(output["directory"], path: "output.directory") ?? "runs/\(name)"
        let checkpointEvery = r.integer(output["checkpoint_every"], path: "output.checkpoint_every", in: 0...10_000_000) ?? 50

        if ansatzKind.isNeural, let lambda {
            if tail == true && lambda == 0 {
                r.report("ansatz.tail", ansatz["tail"], "true needs lambda > 0 (the tail follows the phi^4 potential)")
            }
            tail = tail ?? (lambda > 0)
        }
        guard let extent, let m2, let lambda else { return nil }
        return RunConfiguration(
            name: name, seed: seed,
            lattice: LatticeSection(extent: extent),
            theory: TheorySection(m2: m2, lambda: lambda),
            ansatz: AnsatzSection(
                kind: ansatzKind, initialFrequency: initialFrequency, hidden: hidden, activation: activation,
                symmetrize: symmetrize, outputScale: outputScale, kernel: kernel, tail: tail),
            sampler: SamplerSection(
                kind: samplerKind, chains: chains, thermalization: thermalization, sweep: sweep,
                discard: discard, targetAcceptance: target),
            optimizer: OptimizerSection(
                kind: optimizerKind, steps: steps, samples: samples, learningRate: learningRate,
                learningRateFinal: learningRateFinal, diagShift: diagShift, diagShiftFinal: diagShiftFinal,
                gaussianSteps: gaussianSteps, maxStep: maxStep),
            evaluation: EvaluationSection(samples: evaluationSamples),
            output: OutputSection(directory: directory, checkpointEvery: checkpointEvery))
    }

    /// Samples are drawn a sweep at a time, one per chain, so a sample count must
    /// be a whole number of sweeps.
    private static func checkMultiple(_ samples: Int, of chains: Int, path: String, node: Node?, _ r: ConfigReader) {
        if samples % chains != 0 || samples < chains {
            r.report(path, node, "\(samples) is not a positive multiple of sampler.chains = \(chains) (samples are drawn one per chain per sweep)")
        }
    }
}
