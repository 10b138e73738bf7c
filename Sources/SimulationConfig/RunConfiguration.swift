/// A validated, fully resolved run description: every default filled in
/// (DESIGN §3). Built only by `RunConfiguration.parse`, which checks every key,
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

        enum CodingKeys: String, CodingKey {
            case kind
            case initialFrequency = "initial_frequency"
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
        /// SR's diagonal shift `epsilon`; nil for Adam.
        public var diagShift: Double?

        enum CodingKeys: String, CodingKey {
            case kind, steps, samples
            case learningRate = "learning_rate"
            case diagShift = "diag_shift"
        }
    }

    public struct EvaluationSection: Sendable, Equatable, Codable {
        /// Samples for the final fixed-parameter estimates (a multiple of `sampler.chains`).
        public var samples: Int
    }

    public struct OutputSection: Sendable, Equatable, Codable {
        public var directory: String
    }
}

public enum AnsatzKind: String, Sendable, Codable, CaseIterable {
    case gaussian
}

public enum SamplerKind: String, Sendable, Codable, CaseIterable {
    case metropolis
}

public enum OptimizerKind: String, Sendable, Codable, CaseIterable {
    case sr
    case adam
}
