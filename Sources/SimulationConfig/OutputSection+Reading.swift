import Yams

extension OutputSection {
    /// `output: {directory, checkpoint_every}`: the directory defaults to runs/NAME,
    /// a periodic checkpoint to every 60 seconds of wall time.
    public static func read(_ node: Node?, name: String, _ r: ConfigReader) -> Self {
        let output = r.mapping(node, path: "output", allowed: ["directory", "checkpoint_every"]) ?? [:]
        return Self(
            directory: r.string(output["directory"], path: "output.directory") ?? "runs/\(name)",
            checkpointEvery: r.number(
                output["checkpoint_every"], path: "output.checkpoint_every", where: { $0 >= 0 && $0 <= 1e7 },
                "of seconds from 0 (only when stopped and at the end) to 1e7") ?? 60)
    }
}
