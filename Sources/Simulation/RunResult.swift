import Execution
import Output
import Parallelism
import RunEngine
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
    /// The evaluation's CSV tables by file name (correlator_k.csv, correlator_r.csv).
    public var tables: [String: CSVTable]
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
    public var checkpoint: Checkpoint
}

/// How a caller steers a run: progress, periodic checkpoints, stopping, resuming.
public struct RunControl {
    /// Sees every finished unit of work (an optimisation step, a thermalisation,
    /// the evaluation, the reference) with its stage's name.
    public var progress: (_ stage: String, UnitReport) -> Void = { _, _ in }
    /// Polled before every unit and inside long ones; a stop ends the run with
    /// `SimulationError.interrupted` carrying the state before the unit in progress.
    public var stop: StopCheck = .never
    /// Saves a checkpoint every `checkpointEvery` optimisation steps (0: never).
    public var checkpointEvery = 0
    public var saveCheckpoint: (Checkpoint) throws -> Void = { _ in }
    /// A checkpoint of this configuration to continue from.
    public var resume: Checkpoint?
    /// Threads the chains and samples are split over (results do not depend on it).
    public var parallelism = Parallelism.serial

    public init() {}
}
