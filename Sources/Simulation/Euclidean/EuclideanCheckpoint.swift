import Measurements
import Optimizers
import Sampling
import SimulationConfig
import Statistics

/// The resumable state of a Euclidean or path-integral run: one ensemble (a
/// Euclidean run) or one per temporal spacing (a path integral), each with its
/// flow's training (flow runs) and its chains, records and result.
public struct EuclideanCheckpoint: RunState, EnsembleHolder {
    public var configuration: EuclideanConfiguration
    public var ensembles: [Ensemble]

    public struct Ensemble: Codable, Sendable {
        /// The temporal spacing eps of a path integral's ensemble (nil: Euclidean run).
        public var spacing: Double?
        /// The flow's training (flow runs).
        public var flow: FlowTraining?
        public var progress: EnsembleProgress
    }

    /// A flow in training: its parameters, Adam's moments, the prior's stream,
    /// the seconds spent on each lattice of the schedule, and the record of every step.
    public struct FlowTraining: Codable, Sendable {
        public var parameters: [Double]
        public var optimizer: Adam
        public var random: RandomSource
        public var steps: Int
        public var seconds: Double
        /// Training seconds per lattice of the schedule (one entry without a schedule).
        public var phaseSeconds: [Double]
        public var history: [TrainingStep]

        enum CodingKeys: String, CodingKey {
            case parameters, optimizer, random, steps, seconds, history
            case phaseSeconds = "phase_seconds"
        }
    }

    /// One training step as training.csv shows it.
    public struct TrainingStep: Codable, Sendable {
        public var step: Int
        /// The schedule's lattice the step trained on (its index).
        public var phase: Int
        /// The reverse-KL loss mean(log q + S) per site (the divergence per site minus log Z / V).
        public var loss: Double
        /// The batch's importance-sampling estimate of log Z / V (biased low by Jensen's inequality).
        public var logZ: Double
        /// The batch's own ESS (it overstates the pooled one; for the record only).
        public var batchESS: Double
        public var gradientNorm: Double
        public var learningRate: Double
        /// Training seconds so far (every lattice).
        public var seconds: Double
        /// The pooled ESS of the fixed validation batch, every `flow.validation_every` steps and at a lattice's last.
        public var validationESS: Double?

        /// The batch's estimate of the reverse KL divergence per site, loss + log Z / V (>= 0).
        public var divergence: Double { loss + logZ }
    }

    subscript(ensemble slot: EnsembleSlot) -> EnsembleProgress {
        get {
            guard case .index(let i) = slot else { return EnsembleProgress() }
            return ensembles[i].progress
        }
        set {
            guard case .index(let i) = slot else { return }
            ensembles[i].progress = newValue
        }
    }
}

extension EuclideanCheckpoint.FlowTraining {
    /// Each lattice of the schedule `phases` with its steps and the seconds spent on it.
    func schedule(_ phases: [EuclideanConfiguration.SchedulePhase]) -> [SavedFlow.Provenance.Phase] {
        zip(phases, phaseSeconds).map { .init(extent: $0.extent, steps: $0.steps, seconds: $1) }
    }

    /// The last validation's pooled ESS.
    var lastValidationESS: Double? { history.last(where: { $0.validationESS != nil })?.validationESS }
}
