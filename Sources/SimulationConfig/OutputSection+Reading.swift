import Yams

extension RunConfiguration.EvaluationSection {
    /// `evaluation: {samples}`: a multiple of the chains.
    static func read(_ node: Node?, chains: Int, _ r: ConfigReader) -> Self {
        let evaluation = r.mapping(node, path: "evaluation", allowed: ["samples"]) ?? [:]
        let samples = r.integer(evaluation["samples"], path: "evaluation.samples", in: 1...1_000_000_000) ?? 16384
        RunConfiguration.checkMultiple(samples, of: chains, path: "evaluation.samples", node: evaluation["samples"], r)
        return Self(samples: samples)
    }
}

extension RunConfiguration.OutputSection {
    /// `output: {directory, checkpoint_every}`; the directory defaults to runs/NAME.
    static func read(_ node: Node?, name: String, _ r: ConfigReader) -> Self {
        let output = r.mapping(node, path: "output", allowed: ["directory", "checkpoint_every"]) ?? [:]
        return Self(
            directory: r.string(output["directory"], path: "output.directory") ?? "runs/\(name)",
            checkpointEvery: r.integer(output["checkpoint_every"], path: "output.checkpoint_every", in: 0...10_000_000) ?? 50)
    }
}
