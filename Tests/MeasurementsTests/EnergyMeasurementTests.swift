import Lattice
import Measurements
import Statistics
import Testing

@Suite struct EnergyMeasurementTests {
    /// The energy is the Gamma-method estimate of the recorded local energies,
    /// recorded through a measurement set (the pipeline every run uses).
    @Test func energyIsTheMeanOfTheLocalEnergies() throws {
        let set = MeasurementSet([EnergyMeasurement()], chains: 2)
        let fields = FieldBatch(rows: 2, columns: 1)
        var block = set.emptyBlock()
        var series = ReplicaSeries(chains: 2, observables: 1)
        for t in 0..<50 {
            let e = [Double(t % 7), Double((3 * t) % 5)]
            set.record(MeasuredSweep(fields: fields, localEnergies: e), into: &block)
            series.append(record: e)
        }
        var recorded = set.emptySeries()
        MeasurementSet.append(block, to: &recorded)
        #expect(recorded == [series])
        let results = try set.results(recorded, Analysis())
        #expect(results.estimates == [EnergyMeasurement.name: GammaMethod().estimate(series)])
        #expect(results.tables.isEmpty)
        #expect(results.merging(MeasurementResults(estimates: ["x": results.estimates["energy"]!])).estimates.count == 2)
        #expect(set.problems(recorded).isEmpty && !set.problems([]).isEmpty)
    }
}
