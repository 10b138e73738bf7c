import Yams

extension GroundStateConfiguration.EvaluationSection {
    static let keys = ["samples", "target_error", "target_relative_error", "max_samples", "max_seconds"]

    /// `evaluation: {samples, target_error | target_relative_error, max_samples, max_seconds}`:
    /// sample counts are multiples of the chains; with a target, `samples` is the
    /// first round and `max_samples` (default 16 x samples) and `max_seconds` (default
    /// none) cap the rest.
    static func read(_ node: Node?, chains: Int, _ r: ConfigReader) -> Self {
        let evaluation = r.mapping(node, path: "evaluation", allowed: keys) ?? [:]
        let samples = r.integer(evaluation["samples"], path: "evaluation.samples", in: 1...1_000_000_000) ?? 16384
        GroundStateConfiguration.checkMultiple(samples, of: chains, path: "evaluation.samples", node: evaluation["samples"], r)
        var section = Self(samples: samples)
        section.targetError = r.number(
            evaluation["target_error"], path: "evaluation.target_error", where: { $0 > 0 }, "> 0")
        section.targetRelativeError = r.number(
            evaluation["target_relative_error"], path: "evaluation.target_relative_error", where: { $0 > 0 && $0 < 1 },
            "> 0 and < 1")
        if section.targetError != nil && section.targetRelativeError != nil {
            r.report(
                "evaluation.target_relative_error", evaluation["target_relative_error"],
                "give evaluation.target_error or evaluation.target_relative_error, not both")
        }
        for key in ["max_samples", "max_seconds"] where evaluation[key] != nil && !section.hasTarget {
            r.report("evaluation.\(key)", evaluation[key], "caps a target: it needs evaluation.target_error or target_relative_error")
        }
        if section.hasTarget {
            let cap = r.integer(evaluation["max_samples"], path: "evaluation.max_samples", in: 1...4_000_000_000)
            if let cap {
                GroundStateConfiguration.checkMultiple(cap, of: chains, path: "evaluation.max_samples", node: evaluation["max_samples"], r)
                if cap < samples {
                    r.report("evaluation.max_samples", evaluation["max_samples"], "\(cap) is below evaluation.samples (\(samples))")
                }
            }
            // By default a target 4x below the first round's error: 16 x the samples
            // (the records are kept for the Gamma method; the memory check counts them).
            section.maxSamples = cap ?? min(4_000_000_000 / chains * chains, 16 * samples)
            section.maxSeconds = r.number(
                evaluation["max_seconds"], path: "evaluation.max_seconds", where: { $0 > 0 }, "> 0")
        }
        return section
    }
}
