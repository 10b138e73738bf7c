import Foundation
import Lattice
import NetworkFieldTheory
import Yams

extension NetworkConfiguration: RunDescription {
    public static let modes = ["nnft"]
    /// All-pair correlators keep 4 P^2 sums per width, in memory and in the checkpoint.
    public static let maximumPoints = 256

    /// Reads a `mode: nnft` config.
    public static func read(_ document: ConfigDocument, _ r: ConfigReader) -> Self? {
        guard let doc = document.topLevel(["name", "seed", "network", "lattice", "ensemble", "theory", "reference", "output"], r)
        else { return nil }
        let root = document.root
        let name = document.name(doc["name"], r)
        let seed = document.seed(doc["seed"], r)
        let theory = readTheory(doc["theory"], r)
        let network = readNetwork(doc["network"], root: root, hasTheory: doc["theory"] != nil, r)
        let lattice = readInputs(doc["lattice"], root: root, hasTheory: doc["theory"] != nil, r)
        let interacting = (theory?.lambda ?? 0) > 0
        // A `theory` that could not be read leaves the kind of ensemble open: its
        // keys are then not blamed for it (one bad value, one message).
        let theoryUnread = doc["theory"] != nil && theory == nil
        let ensemble = readEnsemble(
            doc["ensemble"], inputs: lattice, network: network, interacting: interacting, hasTheory: doc["theory"] != nil,
            lenient: theoryUnread, r)
        var reference: ReferenceSection?
        if interacting {
            let s = r.mapping(doc["reference"], path: "reference", allowed: ["samples", "chains", "thermalization"]) ?? [:]
            let chains = r.integer(s["chains"], path: "reference.chains", in: 1...4096) ?? 16
            let samples = r.integer(s["samples"], path: "reference.samples", in: 0...100_000_000) ?? 65536
            if samples % chains != 0 {
                r.report("reference.samples", s["samples"], "\(samples) is not a multiple of reference.chains = \(chains) (0: no reference)")
            }
            reference = ReferenceSection(
                samples: samples, chains: chains,
                thermalization: r.integer(s["thermalization"], path: "reference.thermalization", in: 0...1_000_000) ?? 200)
        } else if let node = doc["reference"], !theoryUnread {
            r.report("reference", node, "is the HMC reference of a phi^4 network: allowed only with `theory.lambda` > 0")
        }
        let output = OutputSection.read(doc["output"], name: name, r)
        guard let network, let lattice, let ensemble else { return nil }
        let configuration = Self(
            mode: "nnft", name: name, seed: seed, network: network, lattice: lattice, ensemble: ensemble, theory: theory,
            reference: reference, output: output)
        configuration.checkResolvable(doc, r)
        return configuration
    }

    /// The Gauss-net's s(x) = exp(z - Sigma(x, x)) has E[s^2] = 1 but E[s^4] = exp(4 Sigma(x, x)):
    /// one neuron's s(x)^2 has relative variance exp(4 Sigma) - 1, which beyond the
    /// ensemble's width x networks draws no ensemble can resolve (its mean is carried by
    /// draws it never makes; beyond Sigma ~ 700 every draw underflows to 0). Such a
    /// point is refused rather than measured as 0 +- 0.
    private func checkResolvable(_ doc: [String: Node], _ r: ConfigReader) {
        guard network.activation == .gauss, theory == nil else { return }
        let inputs = NetworkInputs(configuration: self)
        let sigmaW = network.sigmaW ?? 1, sigmaB = network.sigmaB ?? 0
        let draws = Double(ensemble.networks) * Double(network.widths.max() ?? 1)
        let d = Double(inputs.dimension)
        for p in 0..<inputs.count {
            let sigma = sigmaB * sigmaB + sigmaW * sigmaW * inputs.dot(p, p) / d
            if 4 * sigma > log(draws) {
                r.report(
                    "lattice", doc["lattice"],
                    String(format: "point %d (x = %@) has Sigma(x, x) = %.4g under `activation: gauss`: one neuron's s(x)^2 = exp(2 z - 2 Sigma) has relative variance exp(4 Sigma) = %.3g, more than the %.3g neuron draws of the widest ensemble, so G(x, x) = 1 cannot be resolved (the draws underflow to 0); bring the points within Sigma(x, x) <= %.3g (smaller spacing or sigma_w, or points nearer the origin)",
                        p, "\(inputs.points[p])", sigma, exp(min(700, 4 * sigma)), draws, log(draws) / 4))
                return
            }
        }
    }

    private static func readTheory(_ node: Node?, _ r: ConfigReader) -> TheorySection? {
        guard let node else { return nil }
        guard let t = r.mapping(node, path: "theory", allowed: ["m2", "lambda"]) else { return nil }
        if t["m2"] == nil { r.report("theory.m2", node, "is required: the mass of the free field the network's momenta are drawn from") }
        let m2 = r.number(t["m2"], path: "theory.m2", where: { $0 > 0 && $0 <= 1e6 }, "in (0, 1e6] (the network's propagator 1/(khat^2 + m2) must be positive)")
        let lambda = r.number(t["lambda"], path: "theory.lambda", where: { $0 >= 0 && $0 <= 1e6 }, "from 0 to 1e6")
        guard let m2, t["lambda"] == nil || lambda != nil else { return nil }
        return TheorySection(m2: m2, lambda: lambda ?? 0)
    }

    private static func readNetwork(_ node: Node?, root: Node, hasTheory: Bool, _ r: ConfigReader) -> NetworkSection? {
        if node == nil { r.report("network", root, "is required (e.g. `network: {activation: erf, width: 100, sigma_w: 1.0, sigma_b: 0.5}`)") }
        guard let n = r.mapping(node, path: "network", allowed: ["activation", "width", "sigma_w", "sigma_b"]) else { return nil }
        if n["activation"] == nil { r.report("network.activation", node, "is required: one of erf, relu, gauss, cos") }
        let activation = r.choice(n["activation"], path: "network.activation", as: NetworkActivation.self)
        if hasTheory, let activation, activation != .cos {
            r.report("network.activation", n["activation"], "the free-field and phi^4 networks are cos-networks (lattice momenta); give `cos`")
        }
        var widths: [Int]?
        if let w = n["width"] {
            if case .sequence(let items) = w {
                let values = items.enumerated().map { r.integer($1, path: "network.width[\($0)]", in: 1...100_000) }
                if values.isEmpty || values.count > 16 { r.report("network.width", w, "has \(values.count) entries; give 1 to 16 widths") }
                if Set(values.compactMap { $0 }).count != values.count { r.report("network.width", w, "holds a width twice") }
                if (1...16).contains(values.count), values.allSatisfy({ $0 != nil }) { widths = values.compactMap { $0 } }
            } else if let value = r.integer(w, path: "network.width", in: 1...100_000) {
                widths = [value]
            }
        } else {
            r.report("network.width", node, "is required: a width N or a list of widths")
        }
        var sigmaW: Double?, sigmaB: Double?
        if hasTheory {
            for key in ["sigma_w", "sigma_b"] where n[key] != nil {
                r.report("network.\(key)", n[key], "is not a parameter of the free-field network (its amplitudes are fixed by the propagator's normalisation)")
            }
        } else {
            sigmaW = r.number(n["sigma_w"], path: "network.sigma_w", where: { $0 > 0 && $0 <= 100 }, "in (0, 100]") ?? 1
            sigmaB = r.number(n["sigma_b"], path: "network.sigma_b", where: { $0 >= 0 && $0 <= 100 }, "from 0 to 100") ?? 0
        }
        guard let activation, let widths else { return nil }
        return NetworkSection(activation: activation, widths: widths, sigmaW: sigmaW, sigmaB: sigmaB)
    }

    private static func readInputs(_ node: Node?, root: Node, hasTheory: Bool, _ r: ConfigReader) -> InputSection? {
        if node == nil { r.report("lattice", root, "is required (e.g. `lattice: {extent: [8], spacing: 0.25}` or `lattice: {points: [[0.0], [0.5]]}`)") }
        guard let l = r.mapping(node, path: "lattice", allowed: ["extent", "spacing", "points"]) else { return nil }
        if l["points"] != nil && (l["extent"] != nil || l["spacing"] != nil) {
            r.report("lattice.points", l["points"], "excludes `extent` and `spacing`: give the sites of a lattice or a list of points")
            return nil
        }
        if let pointsNode = l["points"] {
            if hasTheory { r.report("lattice.points", pointsNode, "the free-field and phi^4 networks live on a lattice; give `extent`") }
            guard let items = r.sequence(pointsNode, path: "lattice.points", expected: "a list of points, each a list of 1 to 3 coordinates") else {
                return nil
            }
            var points: [[Double]] = []
            var valid = true
            for (i, item) in items.enumerated() {
                guard let coordinates = r.sequence(item, path: "lattice.points[\(i)]", expected: "a list of 1 to 3 coordinates") else {
                    valid = false
                    continue
                }
                let values = coordinates.enumerated().map { j, c in
                    r.number(c, path: "lattice.points[\(i)][\(j)]", where: { abs($0) <= 1000 }, "from -1000 to 1000")
                }
                if !(1...3).contains(values.count) { r.report("lattice.points[\(i)]", item, "has \(values.count) coordinates; give 1 to 3") }
                if values.contains(where: { $0 == nil }) || !(1...3).contains(values.count) { valid = false }
                points.append(values.compactMap { $0 })
            }
            if points.isEmpty { r.report("lattice.points", pointsNode, "is empty") }
            if let d = points.first?.count, points.contains(where: { $0.count != d }) {
                r.report("lattice.points", pointsNode, "mixes dimensions; every point needs the same number of coordinates")
            }
            if points.count > maximumPoints {
                r.report("lattice.points", pointsNode, "has \(points.count) points; at most \(maximumPoints) (every pair's correlator is kept)")
            }
            guard valid, !points.isEmpty, points.allSatisfy({ $0.count == points[0].count }), points.count <= maximumPoints else { return nil }
            return InputSection(extent: nil, spacing: nil, points: points)
        }
        if l["extent"] == nil { r.report("lattice.extent", node, "is required: a list of 1 to 3 extents (or give `points`)") }
        guard let items = r.sequence(l["extent"], path: "lattice.extent", expected: "a list of 1 to 3 integers") else { return nil }
        guard (1...3).contains(items.count) else {
            r.report("lattice.extent", l["extent"], "has \(items.count) entries; a network's inputs have 1 to 3 dimensions")
            return nil
        }
        let values = items.enumerated().map { i, item in r.integer(item, path: "lattice.extent[\(i)]", in: 1...maximumPoints) }
        let extent = values.compactMap { $0 }
        guard extent.count == values.count else { return nil }
        let volume = extent.reduce(1, *)
        if volume > maximumPoints {
            r.report("lattice.extent", l["extent"], "\(extent) has \(volume) sites; at most \(maximumPoints) (every pair's correlator is kept)")
            return nil
        }
        var spacing: Double?
        if hasTheory {
            if let s = l["spacing"] { r.report("lattice.spacing", s, "the free-field and phi^4 networks live on the unit lattice (docs/CONVENTIONS.md §1)") }
        } else {
            spacing = r.number(l["spacing"], path: "lattice.spacing", where: { $0 > 0 && $0 <= 100 }, "in (0, 100]") ?? 1
        }
        return InputSection(extent: extent, spacing: spacing, points: nil)
    }

    private static func readEnsemble(
        _ node: Node?, inputs: InputSection?, network: NetworkSection?, interacting: Bool, hasTheory: Bool, lenient: Bool,
        _ r: ConfigReader
    ) -> EnsembleSection? {
        let deformed = ["networks", "chains", "thermalization", "every"], independent = ["networks", "batch", "four_point"]
        let allowed = lenient ? deformed + independent.dropFirst() : interacting ? deformed : independent
        let e = r.mapping(node, path: "ensemble", allowed: allowed) ?? [:]
        let points = inputs.map { $0.points?.count ?? $0.extent?.reduce(1, *) ?? 1 } ?? 1
        let networks = r.integer(e["networks"], path: "ensemble.networks", in: 1...10_000_000_000) ?? (interacting ? 65536 : 1_000_000)
        let batch = interacting ? nil : r.integer(e["batch"], path: "ensemble.batch", in: 1...65536) ?? 1024
        var fourPoint: [[Int]] = []
        if !interacting, let inputs, let network {
            fourPoint = defaultQuadruples(Self.measurablePoints(inputs, network, hasTheory: hasTheory))
        }
        if let f = e["four_point"], let items = r.sequence(f, path: "ensemble.four_point", expected: "a list of index quadruples, e.g. [[0, 1, 2, 3]]") {
            var sets: [[Int]] = []
            for (i, item) in items.enumerated() {
                guard let indices = r.sequence(item, path: "ensemble.four_point[\(i)]", expected: "four point indices") else { continue }
                let values = indices.enumerated().map { j, x in r.integer(x, path: "ensemble.four_point[\(i)][\(j)]", in: 0...(points - 1)) }
                if values.count != 4 { r.report("ensemble.four_point[\(i)]", item, "has \(values.count) indices; a four-point function takes 4") }
                if values.count == 4, values.allSatisfy({ $0 != nil }) { sets.append(values.compactMap { $0 }) }
            }
            if items.count > 64 { r.report("ensemble.four_point", f, "has \(items.count) quadruples; at most 64") }
            fourPoint = sets
        }
        var chains: Int?, thermalization: Int?, every: Int?
        if interacting {
            chains = r.integer(e["chains"], path: "ensemble.chains", in: 1...4096) ?? 16
            thermalization = r.integer(e["thermalization"], path: "ensemble.thermalization", in: 0...1_000_000) ?? 100
            every = r.integer(e["every"], path: "ensemble.every", in: 1...1_000_000) ?? 1
            if let chains, networks % chains != 0 || networks < chains {
                r.report("ensemble.networks", e["networks"], "\(networks) is not a positive multiple of ensemble.chains = \(chains) (one configuration per chain per measurement)")
            }
        }
        return EnsembleSection(networks: networks, batch: batch, fourPoint: fourPoint, chains: chains, thermalization: thermalization, every: every)
    }

    /// The indices of the points where the field is not identically zero: with
    /// sigma_b = 0 an erf or relu network is 0 at the origin (z = 0 there and
    /// s(0) = 0), where every correlator is 0 +- 0 and measures nothing.
    static func measurablePoints(_ inputs: InputSection, _ network: NetworkSection, hasTheory: Bool) -> [Int] {
        let all = Array(0..<(inputs.points?.count ?? inputs.extent?.reduce(1, *) ?? 1))
        guard !hasTheory, (network.sigmaB ?? 0) == 0, [.erf, .relu].contains(network.activation) else { return all }
        let dimension = inputs.extent?.count ?? inputs.points?.first?.count ?? 1
        let lattice = inputs.extent.map { Lattice(extent: $0) }
        let measurable = all.filter { p in
            let x = inputs.points?[p] ?? lattice.map { $0.coordinates(of: p).map(Double.init) } ?? [Double](repeating: 0, count: dimension)
            return x.contains { $0 != 0 }
        }
        return measurable.isEmpty ? all : measurable
    }

    /// Over the measurable points `c`: coincident points, two pairs at the ends,
    /// four neighbours and four spread points.
    static func defaultQuadruples(_ c: [Int]) -> [[Int]] {
        guard let first = c.first, let last = c.last else { return [] }
        let n = c.count
        var sets = [[first, first, first, first], [first, first, last, last]]
        if n >= 4 { sets += [[c[0], c[1], c[2], c[3]], [c[0], c[n / 3], c[(2 * n) / 3], c[n - 1]]] }
        var unique: [[Int]] = []
        for s in sets where !unique.contains(s) { unique.append(s) }
        return unique
    }
}
