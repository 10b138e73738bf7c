import Lattice
import Output
import Statistics

/// An observable measured on sampled fields, as the one measurement pipeline
/// of every kind of run uses it: per sweep it writes a fixed number of values
/// per chain (`record`), the run keeps them as a `ReplicaSeries` (in its
/// checkpoint, so a measurement resumes where it stopped), and after the last
/// sweep the series yields the estimates for summary.json and the CSV tables,
/// every mean with its Gamma-method error (`results`). A new observable is one
/// conforming type and its line in a run's measurement list.
public protocol Measurement: Sendable {
    /// Values recorded per chain per sweep.
    var observables: Int { get }

    /// Writes one sweep's values, `chains x observables`, chain-major, into `out`.
    func record(_ sweep: MeasuredSweep, into out: UnsafeMutableBufferPointer<Double>)

    /// The estimates and tables of the recorded `series` (polling `analysis.stop`).
    func results(_ series: ReplicaSeries, _ analysis: Analysis) throws -> MeasurementResults
}

/// One sweep of every chain.
public struct MeasuredSweep: Sendable {
    /// `chains x V`.
    public var fields: FieldBatch
    /// `E_loc` of each chain's field (ground states; empty otherwise).
    public var localEnergies: [Double]

    public init(fields: FieldBatch, localEnergies: [Double] = []) {
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

/// A run's list of measurements and their series: recording sweeps into new
/// blocks of records (what one unit of work adds) and reducing the series.
public struct MeasurementSet: Sendable {
    public let measurements: [any Measurement]
    public let chains: Int

    public init(_ measurements: [any Measurement], chains: Int) {
        self.measurements = measurements
        self.chains = chains
    }

    /// Empty series, one per measurement.
    public func emptySeries(reservingRecords records: Int = 0) -> [ReplicaSeries] {
        measurements.map { ReplicaSeries(chains: chains, observables: $0.observables, reservingRecords: records) }
    }

    /// Values of new records, one array per measurement (record-major), to be
    /// appended to the series (`append`) once the unit that made them succeeded.
    public typealias Block = [[Double]]

    public func emptyBlock() -> Block { measurements.map { _ in [] } }

    /// Adds one sweep to `block`.
    public func record(_ sweep: MeasuredSweep, into block: inout Block) {
        precondition(sweep.fields.sampleCount == chains, "one field per chain")
        for (i, measurement) in measurements.enumerated() {
            let width = chains * measurement.observables, start = block[i].count
            block[i].append(contentsOf: repeatElement(0, count: width))
            block[i].withUnsafeMutableBufferPointer { all in
                measurement.record(sweep, into: UnsafeMutableBufferPointer(rebasing: all[start..<(start + width)]))
            }
        }
    }

    /// Appends a block's records to the series.
    public static func append(_ block: Block, to series: inout [ReplicaSeries]) {
        for i in series.indices { series[i].append(records: block[i]) }
    }

    /// Every measurement's results, merged.
    public func results(_ series: [ReplicaSeries], _ analysis: Analysis) throws -> MeasurementResults {
        precondition(series.count == measurements.count, "one series per measurement")
        var merged = MeasurementResults()
        for (measurement, s) in zip(measurements, series) { merged = merged.merging(try measurement.results(s, analysis)) }
        return merged
    }

    /// Checks stored series against this list: one per measurement, each with
    /// this list's chains and observables and the same number of records.
    public func problems(_ series: [ReplicaSeries]) -> [String] {
        guard series.count == measurements.count else {
            return ["\(series.count) measurement series, \(measurements.count) measurements"]
        }
        var problems: [String] = []
        for (i, (s, m)) in zip(series, measurements).enumerated() {
            if s.chains != chains || s.observables != m.observables {
                problems.append("measurement series \(i) has \(s.chains) chains x \(s.observables) values, not \(chains) x \(m.observables)")
            }
        }
        if Set(series.map(\.records)).count > 1 { problems.append("the measurement series have different lengths") }
        return problems
    }
}
