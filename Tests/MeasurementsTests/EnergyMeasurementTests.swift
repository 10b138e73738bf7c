import Lattice
import Measurements
import Statistics
import Testing

@Suite struct EnergyMeasurementTests {
    /// The energy is the Gamma-method estimate of the recorded local energies.
    @Test func energyIsTheMeanOfTheLocalEnergies() {
        var m = EnergyMeasurement(chains: 2)
        let fields = FieldBatch(rows: 2, columns: 1)
        var series = ReplicaSeries(chains: 2, observables: 1)
        for t in 0..<50 {
            let e = [Double(t % 7), Double((3 * t) % 5)]
            m.record(MeasuredSweep(fields: fields, localEnergies: e))
            series.append(record: e)
        }
        let results = m.results(gamma: GammaMethod())
        #expect(results.estimates == [EnergyMeasurement.name: GammaMethod().estimate(series)])
        #expect(results.tables.isEmpty)
        #expect(results.merging(MeasurementResults(estimates: ["x": results.estimates["energy"]!])).estimates.count == 2)
    }
}
