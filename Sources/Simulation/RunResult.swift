import Correlators
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
}

/// The best plain Gaussian, optimised and measured in the same run as a neural
/// ansatz, so the network's gain is measured rather than assumed.
public struct GaussianBaseline: Sendable, Codable {
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
/// Markov chains with their random streams, the number of optimisation steps
/// done and their records, the Gaussian baseline, and the resolved config it
/// belongs to. Resuming from it continues the exact same sequence of numbers.
public struct Checkpoint: Sendable, Codable {
    public var step: Int
    public var parameters: [Double]
    public var optimizer: ConfiguredOptimizer
    public var sampler: SamplerState
    public var history: [StepRecord]
    public var gaussianBaseline: GaussianBaseline?
    public var configuration: RunConfiguration
    /// Optimisation wall time spent before this checkpoint.
    public var optimizationSeconds: Double
}

/// How a caller steers a run: progress, periodic checkpoints, stopping, resuming.
public struct RunControl {
    /// Sees every optimisation step, with the total.
    public var progress: (StepRecord, Int) -> Void = { _, _ in }
    /// Asked before each optimisation step and before the evaluation; true stops
    /// the run with `SimulationError.interrupted` carrying a checkpoint.
    public var shouldStop: () -> Bool = { false }
    /// Receives a checkpoint every `checkpointEvery` optimisation steps (0: never).
    public var checkpointEvery = 0
    public var saveCheckpoint: (Checkpoint) throws -> Void = { _ in }
    /// A checkpoint of this configuration to continue from.
    public var resume: Checkpoint?

    public init() {}
}
