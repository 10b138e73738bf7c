import Measurements
import Sampling
import SimulationConfig
import Statistics

/// The resumable state of a variational run, stage by stage: the Gaussian warm
/// start (neural runs), the optimisation, the evaluation's results and the
/// exact reference. It is what `RunLoop` carries from unit to unit, and what
/// checkpoint.json holds; resuming from it continues the exact same sequence of
/// numbers (every random stream and optimiser moment is in it).
public struct Checkpoint: Sendable, Codable {
    /// The resolved config it belongs to (its `output` section is where it was
    /// written, not part of the run: see `RunConfiguration.differences`).
    public var configuration: RunConfiguration
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

    public init(configuration: RunConfiguration, gaussian: OptimizationProgress?, optimization: OptimizationProgress) {
        self.configuration = configuration
        self.gaussian = gaussian
        self.optimization = optimization
    }

    enum CodingKeys: String, CodingKey {
        case configuration, gaussian, gaussianBaseline, optimization, evaluation, reference
        // The layout before the run engine (nqft 0.1.0): one optimisation, flat.
        case parameters, optimizer, sampler, history, optimizationSeconds
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        configuration = try c.decode(RunConfiguration.self, forKey: .configuration)
        gaussian = try c.decodeIfPresent(OptimizationProgress.self, forKey: .gaussian)
        gaussianBaseline = try c.decodeIfPresent(GaussianBaseline.self, forKey: .gaussianBaseline)
        evaluation = try c.decodeIfPresent(EvaluationOutcome.self, forKey: .evaluation)
        reference = try c.decodeIfPresent(ReferenceOutcome.self, forKey: .reference)
        if let optimization = try c.decodeIfPresent(OptimizationProgress.self, forKey: .optimization) {
            self.optimization = optimization
        } else {
            // Older checkpoints were written during the optimisation, after its thermalisation.
            optimization = OptimizationProgress(
                parameters: try c.decode([Double].self, forKey: .parameters),
                optimizer: try c.decode(ConfiguredOptimizer.self, forKey: .optimizer),
                sampler: try c.decode(SamplerState.self, forKey: .sampler),
                history: try c.decode([StepRecord].self, forKey: .history), thermalized: true,
                parametersMoved: true, seconds: try c.decode(Double.self, forKey: .optimizationSeconds))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(configuration, forKey: .configuration)
        try c.encodeIfPresent(gaussian, forKey: .gaussian)
        try c.encodeIfPresent(gaussianBaseline, forKey: .gaussianBaseline)
        try c.encode(optimization, forKey: .optimization)
        try c.encodeIfPresent(evaluation, forKey: .evaluation)
        try c.encodeIfPresent(reference, forKey: .reference)
    }
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
        let window = RunConfiguration.OptimizerSection.targetWindow
        guard history.count >= window else { return nil }
        return history.suffix(window).reduce(0) { $0 + $1.energy.variance } / Double(window * sites)
    }
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
