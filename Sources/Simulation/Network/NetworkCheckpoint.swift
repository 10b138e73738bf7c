import Measurements
import NetworkFieldTheory
import Sampling
import SimulationConfig

/// The resumable state of a network-field-theory run: per width an ensemble's
/// sums (independent networks) or a deformed ensemble's chains (phi^4), and the
/// phi^4 run's HMC reference.
public struct NetworkCheckpoint: Codable, Sendable {
    public var configuration: NetworkConfiguration
    public var ensembles: [Ensemble]
    public var reference: Reference?

    public struct Ensemble: Codable, Sendable {
        public var width: Int
        /// Independent networks: batches added so far, and their sums.
        public var batchesDone = 0
        public var moments: EnsembleMoments?
        /// phi^4 networks: the chains, sweeps of thermalisation done, the measurement.
        public var chains: [DeformedNetworkChains.Chain]?
        public var thermalized = 0
        public var measured: MeasuredEnsemble?
        public var seconds = 0.0
    }

    /// A measured Markov-chain ensemble (the deformed networks, or HMC).
    public struct MeasuredEnsemble: Codable, Sendable {
        public var measurements: MeasurementResults
        public var acceptance: Double
        public var seconds: Double
    }

    public struct Reference: Codable, Sendable {
        public var hmc: HMCState
        public var thermalized = 0
        public var measured: MeasuredEnsemble?
    }
}
