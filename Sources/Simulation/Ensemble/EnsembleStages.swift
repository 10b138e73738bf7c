import Foundation
import Measurements
import Parallelism
import RunEngine
import Statistics

/// The thermalisation of one ensemble, in units of at most about a second of
/// work (`EnsembleSampler.roundsPerUnit`): the sampler tunes what it tunes.
struct EnsembleThermalizationStage<Sampler: EnsembleSampler, State: EnsembleHolder>: RunStage {
    let slot: EnsembleSlot
    /// The sampler as the state has it (a flow's is its trained parameters').
    let sampler: @Sendable (State) -> Sampler
    let rounds: Int
    let name: String
    let divergenceRetries = 0

    func isComplete(_ state: State) -> Bool { state[ensemble: slot].thermalized >= rounds }

    func advance(_ state: inout State, _ context: StageContext) throws -> (UnitReport, Void) {
        let sampler = self.sampler(state)
        var progress = state[ensemble: slot]
        var chains = progress.chains.flatMap(sampler.load) ?? sampler.initialChains()
        let n = max(1, sampler.thermalizationUnit(chains, done: progress.thermalized, total: rounds))
        try sampler.thermalize(&chains, rounds: n, after: progress.thermalized, stop: context.stop)
        progress.chains = sampler.store(chains)
        progress.thermalized += n
        state[ensemble: slot] = progress
        let d = sampler.diagnostics(chains)
        var summary = String(format: "acceptance %.3f", d.acceptance)
        if let eps = d.stepSize { summary = String(format: "step size %.4g, ", eps) + summary }
        return (UnitReport(completed: progress.thermalized, total: rounds, summary: summary), ())
    }
}

/// The measurement of one ensemble: units of at most about a second of
/// sampling, each adding its records to the state (in the checkpoint), then
/// one unit of analysis (the Gamma method of every measurement, polling the
/// stop check) whose result replaces the series. Splitting the sampling into
/// units changes no number: every chain's random stream runs on.
struct EnsembleMeasurementStage<Sampler: EnsembleSampler, State: EnsembleHolder>: RunStage {
    let slot: EnsembleSlot
    let sampler: @Sendable (State) -> Sampler
    /// Records per chain, `every` rounds apart.
    let records: Int
    let every: Int
    let measurements: MeasurementSet
    let name: String
    let divergenceRetries = 0
    let parallelism: Parallelism

    func isComplete(_ state: State) -> Bool { state[ensemble: slot].result != nil }

    func advance(_ state: inout State, _ context: StageContext) throws -> (UnitReport, MeasurementSet.Block?) {
        let start = ContinuousClock.now
        let sampler = self.sampler(state)
        var progress = state[ensemble: slot]
        var chains = progress.chains.flatMap(sampler.load) ?? sampler.initialChains()
        if progress.recorded >= records {
            // Every record is in: the analysis.
            let analysis = Analysis(stop: context.stop, parallelism: parallelism)
            let results = try measurements.results(progress.series, analysis)
            progress.seconds += seconds(since: start)
            progress.result = EnsembleResult(
                measurements: results, sampler: sampler.diagnostics(chains), records: records, seconds: progress.seconds)
            progress.series = []
            state[ensemble: slot] = progress
            let headline = results.estimates["energy"].map { "E = \($0.mean) +- \($0.error)" }
                ?? results.estimates["chi2"].map { "chi2 = \($0.mean) +- \($0.error)" } ?? "analysed"
            return (UnitReport(completed: records, total: records, summary: headline), nil)
        }
        if progress.recorded == 0 {
            sampler.resetCounters(&chains)
            progress.series = measurements.emptySeries(reservingRecords: records)
        }
        let n = min(records - progress.recorded, max(1, sampler.roundsPerUnit(chains) / every))
        var block = measurements.emptyBlock()
        try sampler.sample(&chains, records: n, every: every, stop: context.stop) { fields in
            measurements.record(MeasuredSweep(fields: fields), into: &block)
        }
        progress.chains = sampler.store(chains)
        progress.recorded += n
        progress.seconds += seconds(since: start)
        // The series grow in `append`, on the state no backup shares (here they are only shared).
        state[ensemble: slot] = progress
        let d = sampler.diagnostics(chains)
        return (
            UnitReport(
                completed: progress.recorded, total: records,
                summary: String(format: "configurations per chain measured, acceptance %.3f", d.acceptance)), block
        )
    }

    func append(_ block: MeasurementSet.Block?, to state: inout State) {
        guard let block else { return }
        MeasurementSet.append(block, to: &state[ensemble: slot].series)
    }
}
