import Lattice
import Output
import Statistics

/// An observable measured at fixed parameters: it accumulates one record per
/// sweep (every chain's field and local energy) and, after the last, yields its
/// estimates (for summary.json) and its CSV tables (one file each), every mean
/// with its Gamma-method error. The evaluation loops over a list of these, so a
/// new observable is one conforming type and its line in that list.
public protocol Measurement: Sendable {
    /// Records one sweep.
    mutating func record(_ sweep: MeasuredSweep)

    /// The estimates and tables after the last record.
    func results(gamma: GammaMethod) -> MeasurementResults
}

/// One sweep of every chain at fixed parameters.
public struct MeasuredSweep: Sendable {
    /// `chains x V`.
    public var fields: FieldBatch
    /// `E_loc` of each chain's field.
    public var localEnergies: [Double]

    public init(fields: FieldBatch, localEnergies: [Double]) {
        self.fields = fields
        self.localEnergies = localEnergies
    }
}

/// What measurements yield: named estimates and CSV tables by file name.
public struct MeasurementResults: Sendable, Codable, Equatable {
    public var estimates: [String: Estimate]
    public var tables: [String: CSVTable]

    public init(estimates: [String: Estimate] = [:], tables: [String: CSVTable] = [:]) {
        self.estimates = estimates
        self.tables = tables
    }

    /// Both lists' entries; a name measured twice is a programming error.
    public func merging(_ other: MeasurementResults) -> MeasurementResults {
        MeasurementResults(
            estimates: estimates.merging(other.estimates) { a, _ in a },
            tables: tables.merging(other.tables) { a, _ in a })
    }
}
