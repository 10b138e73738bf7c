import Statistics

/// The variational energy `E = <E_loc>` over `|psi|^2` (estimate `energy`): its
/// mean, error, variance (0 for an exact eigenstate) and tau_int.
public struct EnergyMeasurement: Measurement {
    public static let name = "energy"
    private var series: ReplicaSeries

    public init(chains: Int, reservingRecords records: Int = 0) {
        series = ReplicaSeries(chains: chains, observables: 1, reservingRecords: records)
    }

    public mutating func record(_ sweep: MeasuredSweep) {
        series.append(record: sweep.localEnergies)
    }

    /// The energy's estimate from the records so far.
    public func estimate(gamma: GammaMethod) -> Estimate { gamma.estimate(series) }

    public func results(gamma: GammaMethod) -> MeasurementResults {
        MeasurementResults(estimates: [Self.name: estimate(gamma: gamma)])
    }
}
