import Float64Coding
import Foundation

/// Monte Carlo time series of several observables measured on several independent
/// Markov chains (replicas) in lock step.
///
/// Record `t` holds, for each chain `c`, the values of all `observables`:
/// `values[(t * chains + c) * observables + j]`. This is the order a batched
/// sampler produces them in, and it lets `GammaMethod` work on all observables at
/// once with contiguous inner loops. `Codable` (the values as their IEEE 754 bits,
/// little-endian, base64), so a measurement in progress is part of a checkpoint.
public struct ReplicaSeries: Sendable, Equatable {
    public let chains: Int
    public let observables: Int
    public private(set) var values: [Double]

    public init(chains: Int, observables: Int, reservingRecords records: Int = 0) {
        precondition(chains >= 1 && observables >= 1)
        self.chains = chains
        self.observables = observables
        values = []
        values.reserveCapacity(records * chains * observables)
    }

    /// A series from values already in record order (`records x chains x observables`).
    public init(chains: Int, observables: Int, values: [Double]) {
        precondition(chains >= 1 && observables >= 1 && values.count % (chains * observables) == 0)
        self.chains = chains
        self.observables = observables
        self.values = values
    }

    /// Number of records (the length of each chain's series).
    public var records: Int { values.count / (chains * observables) }

    /// Appends one record: `chains * observables` values, chain-major.
    public mutating func append<C: Collection>(record: C) where C.Element == Double {
        precondition(record.count == chains * observables, "a record holds chains x observables values")
        values.append(contentsOf: record)
    }

    /// Appends whole records (`k * chains * observables` values, record-major).
    public mutating func append(records block: [Double]) {
        precondition(block.count % (chains * observables) == 0, "whole records only")
        values.append(contentsOf: block)
    }

    /// Appends one record through a closure that fills the `chains * observables` slots.
    public mutating func appendRecord(_ fill: (UnsafeMutableBufferPointer<Double>) -> Void) {
        let start = values.count
        values.append(contentsOf: repeatElement(0, count: chains * observables))
        values.withUnsafeMutableBufferPointer { all in
            fill(UnsafeMutableBufferPointer(rebasing: all[start..<(start + chains * observables)]))
        }
    }
}

extension ReplicaSeries: Codable {
    enum CodingKeys: String, CodingKey {
        case chains, observables, float64le
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(chains, forKey: .chains)
        try c.encode(observables, forKey: .observables)
        try Float64Coding.encode(values, forKey: .float64le, in: &c, encoder: encoder)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        chains = try c.decode(Int.self, forKey: .chains)
        observables = try c.decode(Int.self, forKey: .observables)
        guard let decoded = Float64Coding.decode(try c.decode(String.self, forKey: .float64le)) else {
            throw DecodingError.dataCorruptedError(forKey: .float64le, in: c, debugDescription: "not base64 of 8-byte numbers")
        }
        let count = decoded.count
        guard chains >= 1, observables >= 1, chains.multipliedReportingOverflow(by: observables).overflow == false,
            count % (chains * observables) == 0
        else {
            throw DecodingError.dataCorruptedError(
                forKey: .chains, in: c, debugDescription: "\(count) values are not whole records of \(chains) chains x \(observables) observables")
        }
        values = decoded
    }
}
