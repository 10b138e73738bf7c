import Correlators
import FourierTransform
import Foundation
import Measurements
import RunEngine
import Sampling
import Statistics

/// Thermalisation of ensemble `index` in units of at most 100 trajectories per
/// chain; HMC tunes its step size during them.
struct ThermalizationStage: RunStage {
    let index: Int
    let sampler: HybridMonteCarlo
    let trajectories: Int
    let label: String

    var name: String { "thermalisation\(label)" }
    let divergenceRetries = 0

    func isComplete(_ state: EuclideanCheckpoint) -> Bool { state.ensembles[index].thermalized >= trajectories }

    func advance(_ state: inout EuclideanCheckpoint, _ context: StageContext) throws -> (UnitReport, Void) {
        let done = state.ensembles[index].thermalized
        let n = min(100, trajectories - done)
        guard var chains = state.ensembles[index].hmc else { preconditionFailure("an HMC ensemble has HMC chains") }
        try sampler.thermalize(&chains, trajectories: n, stop: context.stop)
        state.ensembles[index].hmc = chains
        state.ensembles[index].thermalized += n
        let summary = "step size \(String(format: "%.4g", chains.stepSize)), acceptance \(String(format: "%.3f", chains.acceptance))"
        return (UnitReport(completed: done + n, total: trajectories, summary: summary), ())
    }
}

/// The measurement of ensemble `index` as one unit: `samples / chains`
/// configurations per chain, `every` trajectories apart, each recorded by every
/// measurement. A stop request discards the unit; resuming repeats it from the
/// thermalised chains, with the same numbers.
struct MeasurementStage<Sampler: EnsembleSampler>: RunStage {
    let index: Int
    let sampler: Sampler
    let samples: Int
    let chains: Int
    let every: Int
    let label: String
    /// The measurements, fresh for each try.
    let measurements: @Sendable () -> [any Measurements.Measurement]

    var name: String { "measurement\(label)" }
    let divergenceRetries = 0

    func isComplete(_ state: EuclideanCheckpoint) -> Bool { state.ensembles[index].result != nil }

    func advance(_ state: inout EuclideanCheckpoint, _ context: StageContext) throws -> (UnitReport, Void) {
        let start = ContinuousClock.now
        var ensemble = state.ensembles[index]
        let records = samples / chains
        var list = measurements()
        var recorded = 0
        var result = try sampler.measure(&ensemble, records: records, every: every, stop: context.stop) { fields in
            recorded += 1
            let sweep = MeasuredSweep(fields: fields, localEnergies: [])
            for i in list.indices { list[i].record(sweep) }
            if recorded % 256 == 0, recorded < records {
                context.report(UnitReport(completed: recorded, total: records, summary: "configurations per chain measured"))
            }
        }
        let gamma = GammaMethod()
        let results = list.reduce(MeasurementResults()) { $0.merging($1.results(gamma: gamma)) }
        if let bad = results.estimates.first(where: { !$0.value.mean.isFinite && $0.key != "pole_mass" && $0.key != "binder" }) {
            throw Divergence("\(bad.key) = \(bad.value.mean)")
        }
        result.measurements = results
        result.seconds = seconds(since: start)
        ensemble.result = result
        state.ensembles[index] = ensemble
        let headline = results.estimates[MixedEnergy.name].map { "E = \($0.mean) +- \($0.error)" }
            ?? results.estimates["chi2"].map { "chi2 = \($0.mean) +- \($0.error)" } ?? ""
        let summary = "\(headline), acceptance \(String(format: "%.3f", result.acceptance))"
        return (UnitReport(completed: records, total: records, summary: summary), ())
    }
}
