/// Failures of a run that a config check cannot foresee.
public enum RunError: Error, CustomStringConvertible {
    /// A checkpoint that does not belong to this run (its config, or its shapes,
    /// counts and values): refused with exit 2, naming every problem.
    case checkpointMismatch(String)
    /// No exact reference exists for this theory.
    case noExactReference(String)
    /// The config combines features the code does not support together
    /// (validation refuses it first: `RunnableKind.preflightIssues`).
    case unsupported(String)

    public var description: String {
        switch self {
        case .checkpointMismatch(let why): return "cannot resume: \(why)"
        case .noExactReference(let why): return "no exact reference: \(why)"
        case .unsupported(let why): return "unsupported: \(why)"
        }
    }
}
