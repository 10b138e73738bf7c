import Measurements
import Statistics

/// One ensemble of a run in progress, as its checkpoint keeps it: the chains,
/// the thermalisation rounds done, the measurement's records so far (every
/// measurement's series, so a stopped or killed measurement resumes where its
/// last checkpoint was), then its analysed result (the series are then dropped).
public struct EnsembleProgress: Codable, Sendable {
    /// nil until the first unit draws them (a flow's only after its training).
    public var chains: EnsembleChains?
    /// Thermalisation rounds done per chain.
    public var thermalized = 0
    /// Records per chain measured so far, and their series (one per measurement).
    public var recorded = 0
    public var series: [ReplicaSeries] = []
    /// Wall time of the measurement so far.
    public var seconds = 0.0
    public var result: EnsembleResult?

    public init() {}
}

/// What an ensemble's measurement yields.
public struct EnsembleResult: Codable, Sendable {
    public var measurements: MeasurementResults
    public var sampler: SamplerDiagnostics
    /// Records per chain measured.
    public var records: Int
    public var seconds: Double
}

/// Which ensemble of a run's state a stage works on.
public enum EnsembleSlot: Sendable, Equatable {
    /// The run's ensemble `index` (a Euclidean run's, a path integral's spacing,
    /// a network run's width).
    case index(Int)
    /// A network run's HMC reference.
    case reference
}

/// A run state with ensembles (`EnsembleSlot`).
protocol EnsembleHolder: Sendable {
    subscript(ensemble slot: EnsembleSlot) -> EnsembleProgress { get set }
}
