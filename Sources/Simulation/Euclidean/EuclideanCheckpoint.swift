import Measurements
import Sampling
import SimulationConfig

/// The resumable state of a Euclidean or path-integral run: one ensemble (a
/// Euclidean run) or one per temporal spacing (a path integral), each
/// thermalised, then measured.
public struct EuclideanCheckpoint: Codable, Sendable {
    public var configuration: EuclideanConfiguration
    public var ensembles: [Ensemble]

    public struct Ensemble: Codable, Sendable {
        /// The temporal spacing eps of a path integral's ensemble (nil: Euclidean run).
        public var spacing: Double?
        public var chains: HMCState
        /// Thermalisation trajectories done per chain.
        public var thermalized: Int
        public var result: EnsembleResult?
    }

    /// What an ensemble's measurement yields.
    public struct EnsembleResult: Codable, Sendable {
        public var measurements: MeasurementResults
        public var acceptance: Double
        /// `<exp(-dH)>` over the measured trajectories (1 in equilibrium).
        public var boltzmannFactor: Double
        public var stepSize: Double
        public var stepsPerTrajectory: Int
        public var seconds: Double
    }
}
