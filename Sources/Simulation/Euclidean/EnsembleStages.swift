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
        try sampler.thermalize(&state.ensembles[index].chains, trajectories: n, stop: context.stop)
        state.ensembles[index].thermalized += n
        let chains = state.ensembles[index].chains
        let summary = "step size \(String(format: "%.4g", chains.stepSize)), acceptance \(String(format: "%.3f", chains.acceptance))"
        return (UnitReport(completed: done + n, total: trajectories, summary: summary), ())
    }
}

/// The measurement of ensemble `index` as one unit: `samples / chains`
/// configurations per chain, `every` trajectories apart, each recorded by every
/// measurement. A stop request discards the unit; resuming repeats it from the
/// thermalised chains, with the same numbers.
struct MeasurementStage: RunStage {
    let index: Int
    let sampler: HybridMonteCarlo
    let samples: Int
    let every: Int
    let label: String
    /// The measurements, fresh for each try.
    let measurements: @Sendable () -> [any Measurements.Measurement]

    var name: String { "measurement\(label)" }
    let divergenceRetries = 0

    func isComplete(_ state: EuclideanCheckpoint) -> Bool { state.ensembles[index].result != nil }

    func advance(_ state: inout EuclideanCheckpoint, _ context: StageContext) throws -> (UnitReport, Void) {
        let start = ContinuousClock.now
        var chains = state.ensembles[index].chains
        chains.resetCounters()
        let records = samples / chains.chains
        var list = measurements()
        var trajectory = 0, recorded = 0
        try sampler.sample(&chains, trajectories: records * every, stop: context.stop) { fields in
            trajectory += 1
            guard trajectory % every == 0 else { return }
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
        let (steps, _) = sampler.schedule(stepSize: chains.stepSize, jitterDraw: 0.5)
        state.ensembles[index].chains = chains
        state.ensembles[index].result = EuclideanCheckpoint.EnsembleResult(
            measurements: results, acceptance: chains.acceptance, boltzmannFactor: chains.meanBoltzmannFactor,
            stepSize: chains.stepSize, stepsPerTrajectory: steps, seconds: seconds(since: start))
        let headline = results.estimates[VirialEnergy.name].map { "E = \($0.mean) +- \($0.error)" }
            ?? results.estimates["chi2"].map { "chi2 = \($0.mean) +- \($0.error)" } ?? ""
        let summary = "\(headline), acceptance \(String(format: "%.3f", chains.acceptance))"
        return (UnitReport(completed: records, total: records, summary: summary), ())
    }
}
