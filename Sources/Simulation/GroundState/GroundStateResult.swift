import Output
import Sampling
import SimulationConfig
import Statistics

/// One optimisation step as energy.csv records it.
public struct StepRecord: Sendable, Codable {
    public var step: Int
    public var energy: Estimate
    public var acceptance: Double
    public var learningRate: Double
    public var seconds: Double
}

/// A reference value for the ground-state energy and how it was obtained.
public struct EnergyReference: Sendable, Codable, Equatable {
    public var energy: Double
    public var method: String
    /// The ground state's `G(r)` per separation, indexed like the sites (the
    /// rows of correlator_r.csv); nil in checkpoints of earlier versions.
    public var correlator: [Double]?

    /// `<M^2>/V = sum_r G(r)`.
    public var chi2: Double? { correlator?.reduce(0, +) }
}

/// The best plain Gaussian, optimised and measured in the same run as a neural
/// ansatz, so the network's gain is measured rather than assumed.
public struct GaussianBaseline: Sendable, Codable {
    public var steps: Int
    public var energy: Estimate
}

/// Everything a run produced, before it is written out.
public struct GroundStateResult: Sendable {
    public var history: [StepRecord]
    /// The ground-state energy from the fixed-parameter evaluation phase.
    public var energy: Estimate
    /// Acceptance during the evaluation phase.
    public var acceptance: Double
    /// The evaluation's CSV tables by file name (correlator_k.csv, correlator_r.csv).
    public var tables: [String: CSVTable]
    /// The order parameter of |psi|^2 (`OrderParameter`: abs_magnetization, chi2, binder).
    public var orderParameter: [String: Estimate]
    /// How an evaluation with an error target ended; nil without one.
    public var precision: EvaluationPrecision?
    /// The step at which `optimizer.target_variance` was reached; nil otherwise.
    public var targetVarianceStep: Int?
    public var reference: EnergyReference?
    /// The Gaussian stage of a neural run; nil when not measured.
    public var gaussianBaseline: GaussianBaseline?
    public var optimizationSeconds: Double
    public var evaluationSeconds: Double
    /// Wall time of the exact reference (0 when there is none).
    public var referenceSeconds: Double
    /// Why the numbers may not be trustworthy (the run's own diagnostics), for
    /// summary.json `warnings` and the terminal; empty when nothing is suspect.
    public var warnings: [String]
    /// Remarks that do not put the numbers in doubt (e.g. a skipped reference).
    public var notes: [String]
    /// The state to resume from.
    public var checkpoint: GroundStateCheckpoint
}
