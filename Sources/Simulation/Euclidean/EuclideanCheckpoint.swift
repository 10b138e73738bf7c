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
    /// and the record of every step.
    public struct FlowTraining: Codable, Sendable {
        public var parameters: [Double]
        public var optimizer: Adam
        public var random: RandomSource
        public var steps: Int
        public var seconds: Double
        public var history: [TrainingStep]
    }

    public struct TrainingStep: Codable, Sendable {
        public var step: Int
        public var loss: Double
        /// The batch's own ESS (it overstates the pooled one; for the record only).
        public var batchESS: Double
        public var seconds: Double
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
