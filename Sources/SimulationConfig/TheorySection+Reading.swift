import Yams

extension RunConfiguration.TheorySection {
    /// `theory: {m2, lambda}`: lambda >= 0; m2 > 0 when lambda = 0.
    static func read(_ node: Node?, in root: Node, _ r: ConfigReader) -> Self? {
        if node == nil { r.report("theory", root, "is required (e.g. `theory: {m2: 1.0, lambda: 0.0}`)") }
        guard let theory = r.mapping(node, path: "theory", allowed: ["m2", "lambda"]) else { return nil }
        if theory["m2"] == nil { r.report("theory.m2", node, "is required") }
        if theory["lambda"] == nil { r.report("theory.lambda", node, "is required") }
        let m2 = r.number(theory["m2"], path: "theory.m2", where: { _ in true }, "")
        let lambda = r.number(theory["lambda"], path: "theory.lambda", where: { $0 >= 0 }, ">= 0")
        guard let m2, let lambda else { return nil }
        if lambda == 0, m2 <= 0 {
            r.report("theory.m2", theory["m2"], "\(m2) is not allowed with lambda = 0: the free theory needs m2 > 0")
        }
        return Self(m2: m2, lambda: lambda)
    }
}
