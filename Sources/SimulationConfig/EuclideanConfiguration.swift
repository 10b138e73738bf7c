import Lattice
import Sampling

/// The two kinds of run that sample exp(-S) on a space-time lattice.
public enum EuclideanMode: String, Sendable, Codable, CaseIterable {
    case euclidean
    case pathIntegral = "path-integral"
}

/// A validated Euclidean run (`mode: euclidean`, sampling exp(-S) on a D-dimensional
/// space-time lattice) or path-integral run (`mode: path-integral`: the Hamiltonian
/// theory of the `lattice`/`theory` block on d + 1 dimensions, time sliced at each
/// spacing of `path_integral.spacings`). Built only by its reader (`read`).
public struct EuclideanConfiguration: Sendable, Equatable, Codable {
    public var mode: EuclideanMode
    public var name: String
    public var seed: UInt64
    public var lattice: LatticeSection
    public var theory: TheorySection
    public var sampler: SamplerSection
    public var measurement: MeasurementSection
    public var pathIntegral: PathIntegralSection?
    /// The normalizing flow (`sampler.kind: flow`).
    public var flow: FlowSection?
    public var output: OutputSection

    enum CodingKeys: String, CodingKey {
        case mode, name, seed, lattice, theory, sampler, measurement, output, flow
        case pathIntegral = "path_integral"
    }

    public struct LatticeSection: Sendable, Equatable, Codable {
        /// Euclidean: `L_0 ... L_{D-1}`, direction 0 is time. Path integral: the spatial extents.
        public var extent: [Int]
        /// `a_t` of direction 0 (Euclidean runs only).
        public var temporalSpacing: Double

        enum CodingKeys: String, CodingKey {
            case extent
            case temporalSpacing = "temporal_spacing"
        }
    }

    public struct TheorySection: Sendable, Equatable, Codable {
        public var convention: ActionConvention
        /// m2 (project and flow conventions) or kappa (hopping), as given.
        public var m2: Double?
        public var kappa: Double?
        /// lambda as given (the convention's own: lam for flow and hopping).
        public var lambda: Double
    }

    public struct SamplerSection: Sendable, Equatable, Codable {
        public var kind: FieldSamplerKind
        public var chains: Int
        /// Trajectories per chain before measuring (HMC step size tuned during them).
        public var thermalization: Int
        public var integrator: MolecularDynamics
        public var trajectoryLength: Double
        public var jitter: Double
        public var targetAcceptance: Double
        public var fourierAcceleration: Bool
        /// The acceleration mass mu2 (nil: m2 for m2 > 0, -2 m2 for m2 < 0, 1 for m2 = 0).
        public var accelerationMass: Double?
        /// HMC trajectories per chain after every flow proposal round (`kind: flow`; 0: none).
        public var hmcTrajectories: Int

        enum CodingKeys: String, CodingKey {
            case kind, chains, thermalization, integrator, jitter
            case trajectoryLength = "trajectory_length"
            case targetAcceptance = "target_acceptance"
            case fourierAcceleration = "fourier_acceleration"
            case accelerationMass = "acceleration_mass"
            case hmcTrajectories = "hmc_trajectories"
        }
    }

    public struct MeasurementSection: Sendable, Equatable, Codable {
        /// Configurations measured (a multiple of `sampler.chains`); per spacing in a path integral.
        public var samples: Int
        /// Trajectories between measured configurations.
        public var every: Int
    }

    /// The normalizing flow and its reverse-KL training.
    public struct FlowSection: Sendable, Equatable, Codable {
        public var kind: FlowKind
        public var layers: Int
        /// Real-NVP: channels of the coupling networks' hidden convolutions, and their kernel size.
        public var hidden: [Int]?
        public var kernel: Int?
        /// Kernel coupling: the field features F and the convolution's channels M.
        public var features: Int?
        public var channels: Int?
        /// Training steps (Adam on the reverse KL divergence), over every lattice of the schedule.
        public var steps: Int
        public var batch: Int
        public var learningRate: Double
        /// The learning rate at the last step (geometric decay); nil: constant.
        public var learningRateFinal: Double?
        /// Lattices trained on in turn before the run's own (the last entry is the
        /// run's lattice); nil: the run's lattice alone.
        public var schedule: [SchedulePhase]?
        /// A saved flow (flow.json of an earlier run) to start from.
        public var initial: String?
        /// Steps between validations (the pooled ESS of a fixed batch), and its size.
        public var validationEvery: Int
        public var validationSamples: Int

        enum CodingKeys: String, CodingKey {
            case kind, layers, hidden, kernel, features, channels, steps, batch, schedule, initial
            case learningRate = "learning_rate"
            case learningRateFinal = "learning_rate_final"
            case validationEvery = "validation_every"
            case validationSamples = "validation_samples"
        }

        /// The lattices trained on and the steps on each (the run's lattice alone without a schedule).
        public func phases(lattice: [Int]) -> [SchedulePhase] { schedule ?? [SchedulePhase(extent: lattice, steps: steps)] }
    }

    /// One lattice of a flow's training schedule.
    public struct SchedulePhase: Sendable, Equatable, Codable {
        public var extent: [Int]
        public var steps: Int

        public init(extent: [Int], steps: Int) {
            self.extent = extent
            self.steps = steps
        }
    }

    public struct PathIntegralSection: Sendable, Equatable, Codable {
        /// Temporal spacings eps, each giving N_t = round(beta/eps) slices.
        public var spacings: [Double]
        public var beta: Double
    }

    /// The action in the project's convention, on the space-time lattice of a
    /// Euclidean run (for a path integral, `pathIntegralAction(spacing:)`).
    public var mappedTheory: ActionConvention.Mapped {
        theory.convention.mapped(
            first: theory.m2 ?? theory.kappa ?? 0, lam: theory.lambda, dimension: lattice.extent.count)
    }

    /// The couplings as given (`lambda`, and `m2` or `kappa`), and in the project's
    /// convention with the field's scale (summary.json `theory`, flow.json's provenance).
    public var givenCouplings: [String: Double] {
        var given = ["lambda": theory.lambda]
        if let m2 = theory.m2 { given["m2"] = m2 }
        if let kappa = theory.kappa { given["kappa"] = kappa }
        return given
    }

    public var projectCouplings: [String: Double] {
        let mapped = mappedTheory
        return ["m2": mapped.massSquared, "lambda": mapped.coupling, "field_scale": mapped.fieldScale]
    }

    /// The space-time lattice and its action: the Euclidean run's, or the path
    /// integral's at temporal spacing `eps`: N_t = round(beta/eps) links between
    /// N_t + 1 slices (direction 0), open, with the Hartree trial state at both ends.
    public func action(spacing eps: Double? = nil) -> EuclideanAction {
        let mapped = mappedTheory
        if let eps, let pathIntegral {
            let slices = Self.slices(beta: pathIntegral.beta, spacing: eps)
            return EuclideanAction(
                lattice: Lattice(extent: [slices] + lattice.extent), massSquared: mapped.massSquared,
                coupling: mapped.coupling, temporalSpacing: eps, ends: trialState)
        }
        return EuclideanAction(
            lattice: Lattice(extent: lattice.extent), massSquared: mapped.massSquared, coupling: mapped.coupling,
            temporalSpacing: lattice.temporalSpacing)
    }

    /// The path integral's trial state: the Gaussian (Hartree) ground state of the spatial theory.
    public var trialState: GaussianTrialState? {
        guard pathIntegral != nil else { return nil }
        let mapped = mappedTheory
        return GaussianTrialState(lattice: Lattice(extent: lattice.extent), massSquared: mapped.massSquared, coupling: mapped.coupling)
    }

    /// Time slices of the path at `spacing`: N_t = round(beta/eps) >= 2 links, N_t + 1 slices.
    public static func slices(beta: Double, spacing: Double) -> Int { max(2, Int((beta / spacing).rounded())) + 1 }

    /// The acceleration mass in use.
    public var resolvedAccelerationMass: Double {
        if let mass = sampler.accelerationMass { return mass }
        // A path's slices fluctuate about the Hartree state: its mass is the lambda-aware choice.
        if let trial = trialState { return trial.effectiveMassSquared }
        let m2 = mappedTheory.massSquared
        return m2 > 0 ? m2 : (m2 < 0 ? -2 * m2 : 1)
    }
}

public enum FieldSamplerKind: String, Sendable, Codable, CaseIterable {
    case hmc
    /// Independence Metropolis with a trained normalizing flow as the proposal.
    case flow
}

/// The normalizing flow's architecture (`flow.kind`).
public enum FlowKind: String, Sendable, Codable, CaseIterable {
    /// The 2021 tutorial's real-NVP: affine couplings with local convolutional networks.
    case realNVP = "real-nvp"
    /// Couplings of lattice-wide kernels whose parameters mean the same on any
    /// lattice size (so a flow trained small transfers to large lattices).
    case kernelCoupling = "kernel-coupling"
}
