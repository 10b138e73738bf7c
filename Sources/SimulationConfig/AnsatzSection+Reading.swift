import Yams

extension GroundStateConfiguration.AnsatzSection {
    static let networkKeys = ["hidden", "activation", "symmetrize", "output_scale", "kernel", "tail"]

    /// `ansatz`: the kind, the Gaussian's start, and the network keys (neural kinds only).
    static func read(_ node: Node?, theory: GroundStateConfiguration.TheorySection?, _ r: ConfigReader) -> Self {
        let ansatz = r.mapping(node, path: "ansatz", allowed: ["kind", "initial_frequency"] + networkKeys) ?? [:]
        let kind = r.choice(ansatz["kind"], path: "ansatz.kind", as: AnsatzKind.self) ?? .gaussian
        let initialFrequency = r.number(ansatz["initial_frequency"], path: "ansatz.initial_frequency", where: { $0 > 0 }, "> 0") ?? 1
        var section = Self(kind: kind, initialFrequency: initialFrequency)
        guard kind.isNeural else {
            for key in networkKeys where ansatz[key] != nil {
                r.report("ansatz.\(key)", ansatz[key], "configures a network; `ansatz.kind: \(kind.rawValue)` has none (use gaussian-mlp)")
            }
            return section
        }
        section.hidden = [32]
        if let items = r.sequence(ansatz["hidden"], path: "ansatz.hidden", expected: "a list of 1 to 4 layer widths") {
            if !(1...4).contains(items.count) {
                r.report("ansatz.hidden", ansatz["hidden"], "has \(items.count) layers; expected 1 to 4")
            } else {
                let widths = items.enumerated().map { i, item in r.integer(item, path: "ansatz.hidden[\(i)]", in: 1...4096) }
                if widths.allSatisfy({ $0 != nil }) { section.hidden = widths.compactMap { $0 } }
            }
        }
        section.activation = r.choice(ansatz["activation"], path: "ansatz.activation", as: ActivationKind.self) ?? .tanh
        if case .scalar(let s)? = ansatz["symmetrize"], s.style == .plain, s.string == "superposition" {
            section.symmetrize = .superposition
        } else {
            let flag = r.boolean(ansatz["symmetrize"], path: "ansatz.symmetrize", orAlso: ["superposition"]) ?? true
            section.symmetrize = flag ? .even : Symmetrization.none
        }
        section.outputScale = r.number(ansatz["output_scale"], path: "ansatz.output_scale", where: { $0 >= 0 }, ">= 0") ?? 0.01
        if kind == .symmetric {
            section.kernel = r.integer(ansatz["kernel"], path: "ansatz.kernel", in: 1...64) ?? 3
        } else if ansatz["kernel"] != nil {
            r.report("ansatz.kernel", ansatz["kernel"], "is only for `ansatz.kind: symmetric`")
        }
        let tail = r.boolean(ansatz["tail"], path: "ansatz.tail")
        if let lambda = theory?.lambda {
            if tail == true && lambda == 0 {
                r.report("ansatz.tail", ansatz["tail"], "true needs lambda > 0 (the tail follows the phi^4 potential)")
            }
            section.tail = tail ?? (lambda > 0)
        }
        return section
    }
}
