/// `output`: where a run's directory is and how often its checkpoint is written.
/// Neither is part of the run's physics: a run directory may be moved and its
/// run resumed from wherever it is now, and a checkpoint's timing never changes
/// a number (`ConfigurationDifferences` leaves this section out).
public struct OutputSection: Sendable, Equatable, Codable {
    public var directory: String
    /// Seconds of wall time between periodic checkpoints, the same unit for every
    /// kind of run: a checkpoint is written after the first unit of work that ends
    /// at least this long after the last one (units are about a second of work).
    /// 0: only when the run is stopped and at its end.
    public var checkpointEvery: Double

    public init(directory: String, checkpointEvery: Double) {
        self.directory = directory
        self.checkpointEvery = checkpointEvery
    }

    enum CodingKeys: String, CodingKey {
        case directory
        case checkpointEvery = "checkpoint_every"
    }
}
