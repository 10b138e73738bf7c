import Measurements
import NetworkFieldTheory
import Sampling
import SimulationConfig

/// The resumable state of a network-field-theory run: per width an ensemble's
/// sums (independent networks) or a deformed ensemble's chains and records
/// (phi^4), and the phi^4 run's HMC reference.
public struct NetworkCheckpoint: RunState, EnsembleHolder {
    public var configuration: NetworkConfiguration
    public var ensembles: [Ensemble]
    /// The HMC reference of a phi^4 network run (nil without one).
    public var reference: EnsembleProgress?

    public struct Ensemble: Codable, Sendable {
        public var width: Int
        /// Independent networks: batches added so far, and their sums.
        public var batchesDone = 0
        public var moments: EnsembleMoments?
        /// phi^4 networks: the deformed ensemble's chains, records and result.
        public var deformed: EnsembleProgress?
        public var seconds = 0.0
    }

    subscript(ensemble slot: EnsembleSlot) -> EnsembleProgress {
        get {
            switch slot {
            case .index(let i): return ensembles[i].deformed ?? EnsembleProgress()
            case .reference: return reference ?? EnsembleProgress()
            }
        }
        set {
            switch slot {
            case .index(let i): ensembles[i].deformed = newValue
            case .reference: reference = newValue
            }
        }
    }
}
