import Measurements
import Sampling
import SimulationConfig
import Statistics
import VMC

/// The resumable state of a Euclidean or path-integral run: one ensemble (a
/// Euclidean run) or one per temporal spacing (a path integral), each
/// thermalised (HMC) or trained (a flow), then measured.
public struct EuclideanCheckpoint: Codable, Sendable {
    public var configuration: EuclideanConfiguration
    public var ensembles: [Ensemble]

    public struct Ensemble: Codable, Sendable {
        /// The temporal spacing eps of a path integral's ensemble (nil: Euclidean run).
        public var spacing: Double?
        /// HMC's chains (HMC runs).
        public var hmc: HMCState?
        /// The flow's training (flow runs).
        public var flow: FlowTraining?
        /// Thermalisation trajectories done per chain (HMC).
        public var thermalized: Int
        public var result: EnsembleResult?
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

    /// What an ensemble's measurement yields.
    public struct EnsembleResult: Codable, Sendable {
        public var measurements: MeasurementResults
        public var acceptance: Double
        /// HMC: `<exp(-dH)>` (1 in equilibrium), the step size and steps per trajectory.
        public var boltzmannFactor: Double?
        public var stepSize: Double?
        public var stepsPerTrajectory: Int?
        /// Flow: the ESS per proposal pooled over every proposal of the measurement.
        public var pooledESS: Double?
        public var proposals: Int?
        /// Flow with HMC between proposal rounds: the trajectories' acceptance (the
        /// step size and `<exp(-dH)>` above are theirs).
        public var hmcAcceptance: Double?
        public var seconds: Double
    }
}
