/// A validated, fully resolved run description: every default filled in
/// (docs/CONVENTIONS.md §3). Built only by `GroundStateConfiguration.parse`, which checks every key,
/// so code downstream never re-validates.
///
/// Encodes with the config file's snake_case keys, in the file's order, so the
/// resolved run can be printed and stored in summary.json.
public struct GroundStateConfiguration: Sendable, Equatable, Codable {
    public var name: String
    public var seed: UInt64
    public var lattice: LatticeSection
    public var theory: TheorySection
    public var ansatz: AnsatzSection
    public var sampler: SamplerSection
    public var optimizer: OptimizerSection
    public var evaluation: EvaluationSection
    public var output: OutputSection

    public struct LatticeSection: Sendable, Equatable, Codable {
        /// `L_1 ... L_d`.
        public var extent: [Int]
    }

    public struct TheorySection: Sendable, Equatable, Codable {
        public var m2: Double
        public var lambda: Double
    }

    public struct AnsatzSection: Sendable, Equatable, Codable {
        public var kind: AnsatzKind
        /// Starting value of every Gaussian frequency `a_k`.
        public var initialFrequency: Double
        /// Hidden-layer widths of the network (neural kinds only).
        public var hidden: [Int]?
        public var activation: ActivationKind?
        /// Whether log psi is made exactly even under phi -> -phi (neural kinds only).
        public var symmetrize: Symmetrization?
        /// Scale of the network's initial output weights (neural kinds only).
        public var outputScale: Double?
        /// Convolution kernel size per direction (symmetric only).
        public var kernel: Int?
        /// Whether the base carries the single-site |phi|^3 tail (neural kinds, lambda > 0).
        public var tail: Bool?

        enum CodingKeys: String, CodingKey {
            case kind, hidden, activation, symmetrize, kernel, tail
            case initialFrequency = "initial_frequency"
            case outputScale = "output_scale"
        }
    }

    public struct SamplerSection: Sendable, Equatable, Codable {
        public var kind: SamplerKind
        public var chains: Int
        /// Sweeps (each `sweep` proposals per chain) before the first optimisation
        /// step and before the evaluation phase.
        public var thermalization: Int
        /// Proposals per chain between recorded samples.
        public var sweep: Int
        /// Sweeps discarded at the start of every optimisation step.
        public var discard: Int
        public var targetAcceptance: Double

        enum CodingKeys: String, CodingKey {
            case kind, chains, thermalization, sweep, discard
            case targetAcceptance = "target_acceptance"
        }
    }

    public struct OptimizerSection: Sendable, Equatable, Codable {
        public var kind: OptimizerKind
        public var steps: Int
        /// Samples per optimisation step (a multiple of `sampler.chains`).
        public var samples: Int
        public var learningRate: Double
        /// Learning rate at the last step (geometric decay from `learningRate`); nil: constant.
        public var learningRateFinal: Double?
        /// SR's diagonal shift `epsilon`; nil for Adam.
        public var diagShift: Double?
        /// SR's diagonal shift at the last step (geometric decay); nil: constant.
        public var diagShiftFinal: Double?
        /// Steps of the plain-Gaussian stage before a neural ansatz (nil for the Gaussian itself).
        public var gaussianSteps: Int?
        /// SR's trust region: the largest change of one parameter in one step (nil for Adam).
        public var maxStep: Double?
        /// Stop the optimisation once the local energy's variance per site, averaged
        /// over the last `OptimizerSection.targetWindow` steps, is at most this.
        public var targetVariance: Double?

        /// Steps whose variances are averaged for `targetVariance`: one step's
        /// sample variance fluctuates by ~sqrt(2 tau / samples) of itself, and a heavy
        /// tail more; ten steps make a chance early stop unlikely.
        public static let targetWindow = 10

        enum CodingKeys: String, CodingKey {
            case kind, steps, samples
            case learningRate = "learning_rate"
            case learningRateFinal = "learning_rate_final"
            case diagShift = "diag_shift"
            case diagShiftFinal = "diag_shift_final"
            case gaussianSteps = "gaussian_steps"
            case maxStep = "max_step"
            case targetVariance = "target_variance"
        }
    }

    public struct EvaluationSection: Sendable, Equatable, Codable {
        /// Samples for the final fixed-parameter estimates (a multiple of `sampler.chains`);
        /// with a target, the first round's.
        public var samples: Int
        /// Keep sampling until the energy's error is at most this (absolute).
        public var targetError: Double?
        /// Keep sampling until the energy's error is at most this times |E|.
        public var targetRelativeError: Double?
        /// With a target: the most samples to take (a multiple of `sampler.chains`).
        public var maxSamples: Int?
        /// With a target: the longest the evaluation may run, in seconds.
        public var maxSeconds: Double?

        public init(
            samples: Int, targetError: Double? = nil, targetRelativeError: Double? = nil, maxSamples: Int? = nil,
            maxSeconds: Double? = nil
        ) {
            self.samples = samples
            self.targetError = targetError
            self.targetRelativeError = targetRelativeError
            self.maxSamples = maxSamples
            self.maxSeconds = maxSeconds
        }

        /// Whether the evaluation runs until an error target (or a cap).
        public var hasTarget: Bool { targetError != nil || targetRelativeError != nil }
        /// The most samples the evaluation can take.
        public var sampleCap: Int { hasTarget ? maxSamples ?? samples : samples }

        enum CodingKeys: String, CodingKey {
            case samples
            case targetError = "target_error"
            case targetRelativeError = "target_relative_error"
            case maxSamples = "max_samples"
            case maxSeconds = "max_seconds"
        }
    }
}

public enum AnsatzKind: String, Sendable, Codable, CaseIterable {
    case gaussian
    case gaussianMLP = "gaussian-mlp"
    case symmetric

    /// Whether the ansatz has a network (and the keys that configure one).
    public var isNeural: Bool { self != .gaussian }
}

/// `ansatz.symmetrize`: how the network respects phi -> -phi. Written as
/// `false`, `true` (`f(phi) + f(-phi)`) or `superposition`
/// (`psi = e^{F(phi)} + e^{F(-phi)}`, for double wells and the broken phase).
public enum Symmetrization: Sendable, Equatable, Codable {
    case none, even, superposition

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let flag = try? c.decode(Bool.self) {
            self = flag ? .even : .none
        } else if try c.decode(String.self) == "superposition" {
            self = .superposition
        } else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "expected true, false or superposition")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .none: try c.encode(false)
        case .even: try c.encode(true)
        case .superposition: try c.encode("superposition")
        }
    }
}

public enum ActivationKind: String, Sendable, Codable, CaseIterable {
    case tanh, softplus, silu
}

public enum SamplerKind: String, Sendable, Codable, CaseIterable {
    case metropolis
    case mala
    /// Metropolis moving one site per proposal.
    case singleSite = "single-site"
    /// single-site where the ansatz has single-site updates (O(K H) per proposal,
    /// so a sweep of V proposals costs O(V) where an all-site one costs O(V^2)),
    /// else metropolis; resolved when the run is built (`Simulation.init`).
    case auto
}

public enum OptimizerKind: String, Sendable, Codable, CaseIterable {
    case sr
    case adam
}
