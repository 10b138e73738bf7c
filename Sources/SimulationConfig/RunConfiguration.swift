/// A validated, fully resolved run description: every default filled in
/// (docs/CONVENTIONS.md §3). Built only by `RunConfiguration.parse`, which checks every key,
/// so code downstream never re-validates.
///
/// Encodes with the config file's snake_case keys, in the file's order, so the
/// resolved run can be printed and stored in summary.json.
public struct RunConfiguration: Sendable, Equatable, Codable {
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
        public var symmetrize: Bool?
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

        enum CodingKeys: String, CodingKey {
            case kind, steps, samples
            case learningRate = "learning_rate"
            case learningRateFinal = "learning_rate_final"
            case diagShift = "diag_shift"
            case diagShiftFinal = "diag_shift_final"
            case gaussianSteps = "gaussian_steps"
            case maxStep = "max_step"
        }
    }

    public struct EvaluationSection: Sendable, Equatable, Codable {
        /// Samples for the final fixed-parameter estimates (a multiple of `sampler.chains`).
        public var samples: Int
    }

    public struct OutputSection: Sendable, Equatable, Codable {
        public var directory: String
        /// Optimisation steps between checkpoints (0: only at the end).
        public var checkpointEvery: Int

        enum CodingKeys: String, CodingKey {
            case directory
            case checkpointEvery = "checkpoint_every"
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

public enum ActivationKind: String, Sendable, Codable, CaseIterable {
    case tanh, softplus, silu
}

public enum SamplerKind: String, Sendable, Codable, CaseIterable {
    case metropolis
    case mala
    /// Metropolis moving one site per proposal.
    case singleSite = "single-site"
}

public enum OptimizerKind: String, Sendable, Codable, CaseIterable {
    case sr
    case adam
}
