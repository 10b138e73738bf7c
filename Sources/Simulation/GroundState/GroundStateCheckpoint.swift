import Measurements
import Sampling
import SimulationConfig
import Statistics

/// The resumable state of a variational run, stage by stage: the Gaussian warm
/// start (neural runs), the optimisation, the evaluation (in progress, then its
/// results) and the exact reference. It is what `RunLoop` carries from unit to unit, and what
/// checkpoint.json holds; resuming from it continues the exact same sequence of
/// numbers (every random stream and optimiser moment is in it).
public struct GroundStateCheckpoint: RunState {
    /// The resolved config it belongs to (its `output` section is where it was
    /// written, not part of the run: see `GroundStateConfiguration.differences`).
    public var configuration: GroundStateConfiguration
    /// The plain-Gaussian warm start while it is in progress; nil once done, or
    /// when the run has none.
    public var gaussian: OptimizationProgress?
    /// The warm start's measured result.
    public var gaussianBaseline: GaussianBaseline?
    public var optimization: OptimizationProgress
    /// Set once the evaluation is done.
    public var evaluation: EvaluationOutcome?
    /// Set once the exact reference was computed, found unavailable or skipped.
    public var reference: ReferenceOutcome?

    /// Optimisation steps done.
    public var step: Int { optimization.history.count }
    /// The steps' records (energy.csv).
    public var history: [StepRecord] { optimization.history }
    public var parameters: [Double] { optimization.parameters }

    public init(configuration: GroundStateConfiguration, gaussian: OptimizationProgress?, optimization: OptimizationProgress) {
        self.configuration = configuration
        self.gaussian = gaussian
        self.optimization = optimization
    }

    /// The fixed-parameter evaluation while it is in progress (its chains and
    /// records so far); nil before it starts and once it is analysed.
    public var evaluating: EvaluationProgress?
}

/// One optimisation in progress: parameters, optimiser moments, the chains,
/// the steps done.
public struct OptimizationProgress: Sendable, Codable {
    public var parameters: [Double]
    public var optimizer: ConfiguredOptimizer
    public var sampler: SamplerState
    public var history: [StepRecord]
    /// Whether the chains were thermalised before the first step.
    public var thermalized: Bool
    /// Whether any step changed any parameter (a run whose parameters never
    /// moved did not optimise: a warning).
    public var parametersMoved: Bool
    /// Wall time spent in this optimisation so far.
    public var seconds: Double
    /// The steps done when `optimizer.target_variance` was reached (the
    /// optimisation ends there); nil before, or without a target.
    public var targetReachedAtStep: Int?

    /// The local energy's variance per site averaged over the last
    /// `OptimizerSection.targetWindow` steps; nil before that many.
    public func recentVariancePerSite(sites: Int) -> Double? {
        let window = GroundStateConfiguration.OptimizerSection.targetWindow
        guard history.count >= window else { return nil }
        return history.suffix(window).reduce(0) { $0 + $1.energy.variance } / Double(window * sites)
    }
}

/// The fixed-parameter evaluation in progress: its chains, rounds and records.
public struct EvaluationProgress: Sendable, Codable {
    public var sampler: SamplerState
    public var thermalized = false
    /// Sweeps per chain recorded, where the current round started and where it ends.
    public var done = 0
    public var roundStart = 0
    public var planned: Int
    /// Every measurement's records (`GroundStateRun.evaluationMeasurements`).
    public var series: [ReplicaSeries]
    /// Proposals accepted and made over the recorded sweeps.
    public var accepted = 0
    public var proposed = 0
    public var seconds = 0.0
    public var roundSeconds = 0.0
    /// Set once the rounds have ended (no target, or the target's last round).
    public var finished = false
    public var precision: EvaluationPrecision?
}

/// The fixed-parameter evaluation's results.
public struct EvaluationOutcome: Sendable, Codable {
    /// Every measurement's estimates (the energy among them) and CSV tables.
    public var measurements: MeasurementResults
    public var acceptance: Double
    public var seconds: Double
    /// How an evaluation with an error target ended; nil without a target.
    public var precision: EvaluationPrecision?
}

/// The exact reference stage's result: the reference, or why there is none.
public struct ReferenceOutcome: Sendable, Codable {
    public var reference: EnergyReference?
    /// Set when a reference exists in principle but was not computed.
    public var note: String?
    public var seconds: Double
}
