import Statistics

/// The variational energy `E = <E_loc>` over `|psi|^2` (estimate `energy`): its
/// mean, error, variance (0 for an exact eigenstate) and tau_int.
public struct EnergyMeasurement: Measurement {
    public static let name = "energy"
    public let observables = 1

    public init() {}

    public func record(_ sweep: MeasuredSweep, into out: UnsafeMutableBufferPointer<Double>) {
        for c in out.indices { out[c] = sweep.localEnergies[c] }
    }

    public func results(_ series: ReplicaSeries, _ analysis: Analysis) throws -> MeasurementResults {
        MeasurementResults(estimates: [Self.name: try analysis.estimates(series)[0]])
    }
}
