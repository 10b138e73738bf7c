import Yams

extension GroundStateConfiguration.TheorySection {
    /// `theory: {m2, lambda}` within `CouplingBounds`.
    static func read(_ node: Node?, in root: Node, _ r: ConfigReader) -> Self? {
        if node == nil { r.report("theory", root, "is required (e.g. `theory: {m2: 1.0, lambda: 0.0}`)") }
        guard let theory = r.mapping(node, path: "theory", allowed: ["m2", "lambda"]) else { return nil }
        if theory["m2"] == nil { r.report("theory.m2", node, "is required") }
        if theory["lambda"] == nil { r.report("theory.lambda", node, "is required") }
        let m2 = r.number(
            theory["m2"], path: "theory.m2", where: { abs($0) <= CouplingBounds.maximumMassSquared }, "from -1e6 to 1e6")
        let lambda = r.number(
            theory["lambda"], path: "theory.lambda", where: { $0 >= 0 && $0 <= CouplingBounds.maximumCoupling }, "from 0 to 1e8")
        guard let m2, let lambda else { return nil }
        if let problem = CouplingBounds.problem(massSquared: m2, coupling: lambda) {
            r.report("theory.m2", theory["m2"], "\(m2) is not allowed: \(problem)")
        }
        return Self(m2: m2, lambda: lambda)
    }
}
