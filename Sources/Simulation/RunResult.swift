import Correlators
import Sampling
import Statistics

/// One optimisation step as energy.csv records it.
public struct StepRecord: Sendable {
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
}

/// The best plain Gaussian, optimised and measured in the same run as a neural
/// ansatz, so the network's gain is measured rather than assumed.
public struct GaussianBaseline: Sendable {
    public var steps: Int
    public var energy: Estimate
}

/// Everything a run produced, before it is written out.
public struct RunResult: Sendable {
    public var history: [StepRecord]
    /// The ground-state energy from the fixed-parameter evaluation phase.
    public var energy: Estimate
    /// Acceptance during the evaluation phase.
    public var acceptance: Double
    public var correlators: CorrelatorResult
    public var reference: EnergyReference?
    /// The Gaussian stage of a neural run; nil when not measured.
    public var gaussianBaseline: GaussianBaseline?
    public var optimizationSeconds: Double
    public var evaluationSeconds: Double
    /// The state to resume from.
    public var checkpoint: Checkpoint
}

/// The resumable state of a run: variational parameters, optimizer moments,
/// Markov chains with their random streams, and the number of steps done.
public struct Checkpoint: Sendable, Codable {
    public var step: Int
    public var parameters: [Double]
    public var optimizer: ConfiguredOptimizer
    public var sampler: SamplerState
}
