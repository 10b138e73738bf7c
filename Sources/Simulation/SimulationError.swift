/// Failures of a run that a config check cannot foresee.
public enum SimulationError: Error, CustomStringConvertible {
    /// A stage produced NaN or infinity (energy, parameters or the SR solve) and
    /// retries at lower learning rates did not help. `lastGood` is the state
    /// before the failing unit, for the caller to save.
    case diverged(stage: String, step: Int, detail: String, lastGood: Checkpoint)
    /// The caller asked the run to stop (`RunControl.stop`); the state to
    /// resume from is attached.
    case interrupted(Checkpoint)
    /// A checkpoint that does not belong to this run's configuration.
    case checkpointMismatch(String)
    /// No exact reference exists for this theory.
    case noExactReference(String)
    /// The config combines features the code does not support together
    /// (validation refuses it first; see `Simulation.validate`).
    case unsupported(String)

    public var description: String {
        switch self {
        case .diverged(let stage, let step, let detail, _):
            return stage == "optimisation"
                ? "the optimisation diverged at step \(step): \(detail)" : "the \(stage) stage diverged: \(detail)"
        case .interrupted(let checkpoint):
            return "interrupted after step \(checkpoint.step)"
        case .checkpointMismatch(let why):
            return "cannot resume: \(why)"
        case .noExactReference(let why):
            return "no exact reference: \(why)"
        case .unsupported(let why):
            return "unsupported: \(why)"
        }
    }
}
