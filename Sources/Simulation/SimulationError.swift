/// Failures of a run that a config check cannot foresee.
public enum SimulationError: Error, CustomStringConvertible, Equatable {
    /// The energy or the update became NaN or infinite.
    case diverged(step: Int, detail: String)
    /// No exact reference exists for this theory.
    case noExactReference(String)

    public var description: String {
        switch self {
        case .diverged(let step, let detail):
            return "the optimisation diverged at step \(step): \(detail)"
        case .noExactReference(let why):
            return "no exact reference: \(why)"
        }
    }
}
