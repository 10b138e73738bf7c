import Lattice
import Sampling
import Yams

extension EuclideanConfiguration: RunDescription {
    public static let modes = EuclideanMode.allCases.map(\.rawValue)

    /// Reads a Euclidean or path-integral config.
    public static func read(_ document: ConfigDocument, _ r: ConfigReader) -> Self? {
        let top = ["name", "seed", "lattice", "theory", "sampler", "measurement", "path_integral", "flow", "output"]
        guard let doc = document.topLevel(top, r) else { return nil }
        let root = document.root
        let mode = EuclideanMode(rawValue: document.mode) ?? .euclidean
        let name = document.name(doc["name"], r)
        let seed = document.seed(doc["seed"], r)
        let isPathIntegral = mode == .pathIntegral
        let lattice = readLattice(doc["lattice"], root: root, pathIntegral: isPathIntegral, r)
        let theory = readTheory(doc["theory"], root: root, pathIntegral: isPathIntegral, dimension: lattice?.extent.count, r)
        let sampler = readSampler(doc["sampler"], theory: theory, pathIntegral: isPathIntegral, r)
        let measurement = readMeasurement(doc["measurement"], chains: sampler.chains, r)
        var pathIntegral: PathIntegralSection?
        if isPathIntegral {
            pathIntegral = readPathIntegral(doc["path_integral"], r)
        } else if doc["path_integral"] != nil {
            r.report("path_integral", doc["path_integral"], "is allowed only with `mode: path-integral`")
        }
        var flow: FlowSection?
        if sampler.kind == .flow {
            if isPathIntegral { r.report("sampler.kind", doc["sampler"], "a path integral is sampled by `hmc`") }
            flow = readFlow(doc["flow"], lattice: lattice?.extent, r)
        } else if doc["flow"] != nil {
            r.report("flow", doc["flow"], "is allowed only with `sampler.kind: flow`")
        }
        let output = OutputSection.read(doc["output"], name: name, r)
        guard let lattice, let theory else { return nil }
        let configuration = Self(
            mode: mode, name: name, seed: seed, lattice: lattice, theory: theory, sampler: sampler,
            measurement: measurement, pathIntegral: pathIntegral, flow: flow, output: output)
        configuration.checkSize(doc, r)
        return configuration
    }

    /// The space-time volume stays within bounds (the memory is the run's estimate's).
    private func checkSize(_ doc: [String: Node], _ r: ConfigReader) {
        let spatial = lattice.extent.reduce(1, *)
        let slices = pathIntegral.map { p in p.spacings.map { Self.slices(beta: p.beta, spacing: $0) }.max() ?? 1 } ?? 1
        let volume = Double(spatial) * Double(slices)
        if volume > Double(GroundStateConfiguration.maximumVolume) {
            r.report(
                pathIntegral == nil ? "lattice.extent" : "path_integral", doc[pathIntegral == nil ? "lattice" : "path_integral"],
                "the space-time lattice has \(Int(volume)) sites; at most \(GroundStateConfiguration.maximumVolume) are allowed")
        }
    }

    private static func readLattice(_ node: Node?, root: Node, pathIntegral: Bool, _ r: ConfigReader) -> LatticeSection? {
        if node == nil { r.report("lattice", root, "is required (e.g. `lattice: {extent: [8, 8]}`)") }
        guard let lattice = r.mapping(node, path: "lattice", allowed: ["extent", "temporal_spacing"]) else { return nil }
        let maxDimension = pathIntegral ? 3 : 4
        if lattice["extent"] == nil { r.report("lattice.extent", node, "is required: a list of 1 to \(maxDimension) extents") }
        guard let items = r.sequence(lattice["extent"], path: "lattice.extent", expected: "a list of 1 to \(maxDimension) integers") else {
            return nil
        }
        guard (1...maxDimension).contains(items.count) else {
            let what = pathIntegral ? "the spatial lattice of a path integral has 1 to 3 dimensions" : "a space-time lattice has 1 to 4 dimensions"
            r.report("lattice.extent", lattice["extent"], "has \(items.count) entries; \(what)")
            return nil
        }
        let values = items.enumerated().map { i, item in
            r.integer(item, path: "lattice.extent[\(i)]", in: 1...GroundStateConfiguration.maximumExtent)
        }
        let extent = values.compactMap { $0 }
        guard extent.count == values.count else { return nil }
        var spacing = 1.0
        if let node = lattice["temporal_spacing"] {
            if pathIntegral {
                r.report("lattice.temporal_spacing", node, "is not allowed in a path integral; its spacings are `path_integral.spacings`")
            } else {
                spacing = r.number(node, path: "lattice.temporal_spacing", where: { $0 > 0 && $0 <= 100 }, "in (0, 100]") ?? 1
            }
        }
        return LatticeSection(extent: extent, temporalSpacing: spacing)
    }

    /// `theory: {convention, m2 | kappa, lambda}`. A convention's couplings are
    /// refused whatever their image in the project's convention would be refused
    /// for (`CouplingBounds`), naming the given key and the converted value: the
    /// hopping form maps a finite kappa to m2 < 0 at lambda = 0, or to an infinite
    /// lambda as kappa -> 0.
    private static func readTheory(
        _ node: Node?, root: Node, pathIntegral: Bool, dimension: Int?, _ r: ConfigReader
    ) -> TheorySection? {
        if node == nil { r.report("theory", root, "is required (e.g. `theory: {m2: -4.0, lambda: 48.0}`)") }
        guard let theory = r.mapping(node, path: "theory", allowed: ["convention", "m2", "kappa", "lambda"]) else { return nil }
        let convention = r.choice(theory["convention"], path: "theory.convention", as: ActionConvention.self) ?? .project
        if pathIntegral, convention != .project {
            r.report("theory.convention", theory["convention"], "a path integral takes the Hamiltonian's couplings (`project`) only")
        }
        let firstKey = convention == .hopping ? "kappa" : "m2"
        let otherKey = convention == .hopping ? "m2" : "kappa"
        if let other = theory[otherKey] {
            r.report("theory.\(otherKey)", other, "is not a coupling of the \(convention.rawValue) convention; give `\(firstKey)`")
        }
        if theory[firstKey] == nil { r.report("theory.\(firstKey)", node, "is required") }
        if theory["lambda"] == nil { r.report("theory.lambda", node, "is required") }
        let first = convention == .hopping
            ? r.number(theory["kappa"], path: "theory.kappa", where: { $0 > 0 && $0 <= 10 }, "in (0, 10]")
            : r.number(theory["m2"], path: "theory.m2", where: { abs($0) <= 1e6 }, "from -1e6 to 1e6")
        let lambda = r.number(theory["lambda"], path: "theory.lambda", where: { $0 >= 0 && $0 <= 1e8 }, "from 0 to 1e8")
        guard let first, let lambda else { return nil }
        let section = TheorySection(
            convention: convention, m2: convention == .hopping ? nil : first, kappa: convention == .hopping ? first : nil,
            lambda: lambda)
        // exp(-S) must be normalisable and its couplings within the project's bounds, in the project's convention.
        let mapped = convention.mapped(first: first, lam: lambda, dimension: dimension ?? 1)
        if let problem = CouplingBounds.problem(massSquared: mapped.massSquared, coupling: mapped.coupling) {
            let given = "theory.\(firstKey) = \(first), theory.lambda = \(lambda)"
            let image = convention == .project
                ? "" : " (the \(convention.rawValue) convention's image in the project convention: m2 = \(mapped.massSquared), lambda = \(mapped.coupling))"
            r.report("theory.\(firstKey)", theory[firstKey], "\(given) is not allowed\(image): \(problem)")
        }
        return section
    }

    private static func readSampler(_ node: Node?, theory: TheorySection?, pathIntegral: Bool, _ r: ConfigReader) -> SamplerSection {
        let keys = [
            "kind", "chains", "thermalization", "integrator", "trajectory_length", "jitter", "target_acceptance",
            "fourier_acceleration", "acceleration_mass", "hmc_trajectories",
        ]
        let s = r.mapping(node, path: "sampler", allowed: keys) ?? [:]
        let kind = r.choice(s["kind"], path: "sampler.kind", as: FieldSamplerKind.self) ?? .hmc
        if kind != .flow, let node = s["hmc_trajectories"] {
            r.report("sampler.hmc_trajectories", node, "interleaves HMC with a flow's proposals: allowed only with `kind: flow`")
        }
        return SamplerSection(
            kind: kind,
            chains: r.integer(s["chains"], path: "sampler.chains", in: 1...65536) ?? 16,
            thermalization: r.integer(s["thermalization"], path: "sampler.thermalization", in: 0...10_000_000) ?? 200,
            integrator: r.choice(s["integrator"], path: "sampler.integrator", as: MolecularDynamics.self) ?? .omelyan,
            trajectoryLength: r.number(
                s["trajectory_length"], path: "sampler.trajectory_length", where: { $0 > 0 && $0 <= 100 }, "in (0, 100]") ?? 1,
            jitter: r.number(s["jitter"], path: "sampler.jitter", where: { $0 >= 0 && $0 < 1 }, "in [0, 1)") ?? 0.2,
            targetAcceptance: r.number(
                s["target_acceptance"], path: "sampler.target_acceptance", where: { $0 >= 0.05 && $0 <= 0.99 },
                "from 0.05 to 0.99") ?? 0.8,
            fourierAcceleration: r.boolean(s["fourier_acceleration"], path: "sampler.fourier_acceleration") ?? pathIntegral,
            accelerationMass: r.number(
                s["acceleration_mass"], path: "sampler.acceleration_mass", where: { $0 > 0 && $0 <= 1e6 }, "in (0, 1e6]"),
            hmcTrajectories: r.integer(s["hmc_trajectories"], path: "sampler.hmc_trajectories", in: 0...1000) ?? 0)
    }

    private static func readMeasurement(_ node: Node?, chains: Int, _ r: ConfigReader) -> MeasurementSection {
        let m = r.mapping(node, path: "measurement", allowed: ["samples", "every"]) ?? [:]
        let samples = r.integer(m["samples"], path: "measurement.samples", in: 1...1_000_000_000) ?? 16384
        GroundStateConfiguration.checkMultiple(samples, of: chains, path: "measurement.samples", node: m["samples"], r)
        return MeasurementSection(samples: samples, every: r.integer(m["every"], path: "measurement.every", in: 1...1_000_000) ?? 1)
    }

    /// `flow:` — the architecture's keys by `kind`, the training (`steps`, or a
    /// `schedule` of lattices ending at the run's), the validation, a saved
    /// flow to start from.
    private static func readFlow(_ node: Node?, lattice: [Int]?, _ r: ConfigReader) -> FlowSection {
        let f = r.mapping(
            node, path: "flow",
            allowed: [
                "kind", "layers", "hidden", "kernel", "features", "channels", "steps", "batch", "learning_rate", "learning_rate_final",
                "schedule", "initial", "validation_every", "validation_samples",
            ]) ?? [:]
        let kind = r.choice(f["kind"], path: "flow.kind", as: FlowKind.self) ?? .realNVP
        var hidden: [Int]?, kernel: Int?, features: Int?, channels: Int?
        switch kind {
        case .realNVP:
            hidden = [8, 8]
            if let items = r.sequence(f["hidden"], path: "flow.hidden", expected: "a list of 1 to 4 channel counts") {
                let values = items.enumerated().map { r.integer($1, path: "flow.hidden[\($0)]", in: 1...256) }
                if !(1...4).contains(values.count) { r.report("flow.hidden", f["hidden"], "has \(values.count) entries; give 1 to 4") }
                if (1...4).contains(values.count), values.allSatisfy({ $0 != nil }) { hidden = values.compactMap { $0 } }
            }
            kernel = r.integer(f["kernel"], path: "flow.kernel", in: 1...15) ?? 3
            if let k = kernel, k % 2 == 0 { r.report("flow.kernel", f["kernel"], "\(k) is even; the kernel is centred on a site, so its size is odd") }
            for key in ["features", "channels"] where f[key] != nil {
                r.report("flow.\(key)", f[key], "belongs to `flow.kind: kernel-coupling`; the real-NVP's networks are `hidden` and `kernel`")
            }
        case .kernelCoupling:
            features = r.integer(f["features"], path: "flow.features", in: 1...16) ?? 4
            channels = r.integer(f["channels"], path: "flow.channels", in: 1...32) ?? 4
            for key in ["hidden", "kernel"] where f[key] != nil {
                r.report("flow.\(key)", f[key], "belongs to `flow.kind: real-nvp`; the kernel coupling's networks are `features` and `channels`")
            }
        }
        var steps = r.integer(f["steps"], path: "flow.steps", in: 0...10_000_000) ?? 2000
        var schedule: [SchedulePhase]?
        if let items = r.sequence(f["schedule"], path: "flow.schedule", expected: "a list of {extent, steps}, the run's lattice last") {
            if f["steps"] != nil { r.report("flow.steps", f["steps"], "is the schedule's sum when `flow.schedule` is given; give the steps per lattice there") }
            let phases = items.enumerated().compactMap { i, item -> SchedulePhase? in
                let path = "flow.schedule[\(i)]"
                guard let m = r.mapping(item, path: path, allowed: ["extent", "steps"]) else { return nil }
                let extent = r.sequence(m["extent"], path: path + ".extent", expected: "a list of extents")?.enumerated().map {
                    r.integer($1, path: path + ".extent[\($0)]", in: 2...1024)
                }
                let phaseSteps = r.integer(m["steps"], path: path + ".steps", in: 0...10_000_000)
                if m["extent"] == nil { r.report(path + ".extent", item, "is required") }
                if m["steps"] == nil { r.report(path + ".steps", item, "is required") }
                guard let extent, extent.allSatisfy({ $0 != nil }), let phaseSteps else { return nil }
                let e = extent.compactMap { $0 }
                if let lattice, e.count != lattice.count {
                    r.report(path + ".extent", m["extent"], "has \(e.count) dimensions; the run's lattice has \(lattice.count)")
                }
                return SchedulePhase(extent: e, steps: phaseSteps)
            }
            if phases.count == items.count, !phases.isEmpty {
                if let lattice, let last = phases.last?.extent, last != lattice {
                    r.report("flow.schedule", f["schedule"], "ends at \(last); its last lattice must be the run's, \(lattice)")
                }
                schedule = phases
                steps = phases.reduce(0) { $0 + $1.steps }
            } else if items.isEmpty {
                r.report("flow.schedule", f["schedule"], "is empty; list the lattices to train on, the run's last")
            }
        }
        if kind == .kernelCoupling {
            let extents = (schedule?.map(\.extent) ?? []) + (lattice.map { [$0] } ?? [])
            for e in extents where e.contains(where: { $0 % 2 != 0 }) {
                r.report(
                    schedule?.contains(where: { $0.extent == e }) == true ? "flow.schedule" : "lattice.extent",
                    schedule?.contains(where: { $0.extent == e }) == true ? f["schedule"] : nil,
                    "\(e) has an odd extent: the kernel coupling's checkerboard needs even extents")
            }
        }
        var initial: String?
        if let node = f["initial"] {
            initial = r.string(node, path: "flow.initial")
            if initial?.isEmpty == true { r.report("flow.initial", node, "is empty; give the path of a saved flow (flow.json)") }
        }
        return FlowSection(
            kind: kind, layers: r.integer(f["layers"], path: "flow.layers", in: 1...128) ?? (kind == .realNVP ? 16 : 8), hidden: hidden,
            kernel: kernel, features: features, channels: channels, steps: steps,
            batch: r.integer(f["batch"], path: "flow.batch", in: 1...65536) ?? (kind == .realNVP ? 64 : 128),
            learningRate: r.number(f["learning_rate"], path: "flow.learning_rate", where: { $0 > 0 && $0 <= 1 }, "in (0, 1]")
                ?? (kind == .realNVP ? 1e-3 : 1e-2),
            learningRateFinal: r.number(
                f["learning_rate_final"], path: "flow.learning_rate_final", where: { $0 > 0 && $0 <= 1 }, "in (0, 1]"),
            schedule: schedule, initial: initial,
            validationEvery: r.integer(f["validation_every"], path: "flow.validation_every", in: 1...10_000_000) ?? 200,
            validationSamples: r.integer(f["validation_samples"], path: "flow.validation_samples", in: 2...1_048_576) ?? 1024)
    }

    /// `path_integral: {spacings, beta}`: at least three spacings (the eps -> 0 fit
    /// then has a degree of freedom, so its quality is checked), no two within 1%
    /// of each other (nearly equal spacings make the fit singular), each leaving
    /// at least two time slices.
    private static func readPathIntegral(_ node: Node?, _ r: ConfigReader) -> PathIntegralSection {
        let p = r.mapping(node, path: "path_integral", allowed: ["spacings", "beta"]) ?? [:]
        let beta = r.number(p["beta"], path: "path_integral.beta", where: { $0 > 0 && $0 <= 1e4 }, "in (0, 1e4]") ?? 5
        var spacings = [0.15, 0.1, 0.05]
        if let items = r.sequence(p["spacings"], path: "path_integral.spacings", expected: "a list of temporal spacings") {
            let values = items.enumerated().map { i, item in
                r.number(item, path: "path_integral.spacings[\(i)]", where: { $0 > 0 && $0 <= 10 }, "in (0, 10]")
            }
            if values.count < 3 {
                r.report(
                    "path_integral.spacings", p["spacings"],
                    "has \(values.count) entr\(values.count == 1 ? "y" : "ies"); the eps -> 0 extrapolation E0 + b eps^2 needs at least three (with two it fits exactly and its quality cannot be checked)")
            }
            let given = values.compactMap { $0 }
            for i in given.indices {
                for j in given.indices where j > i && abs(given[i] - given[j]) < 0.01 * max(given[i], given[j]) {
                    r.report(
                        "path_integral.spacings", p["spacings"],
                        "\(given[i]) and \(given[j]) are within 1% of each other: the extrapolation cannot separate them; give distinct spacings")
                }
            }
            if values.count >= 3, values.allSatisfy({ $0 != nil }) { spacings = given }
        }
        for (i, eps) in spacings.enumerated() where beta / eps < 2 {
            r.report("path_integral.spacings[\(i)]", p["spacings"], "\(eps) leaves fewer than 2 time slices at beta = \(beta)")
        }
        return PathIntegralSection(spacings: spacings, beta: beta)
    }
}
