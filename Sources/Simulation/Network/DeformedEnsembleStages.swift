import Correlators
import Foundation
import FourierTransform
import Lattice
import Measurements
import NetworkFieldTheory
import Parallelism
import RunEngine
import Sampling
import Statistics

/// The observables of a phi^4 network ensemble and of its HMC reference: the
/// Euclidean run's configuration observables and G(k), G(r) (docs/CONVENTIONS.md §1).
func phiFourMeasurements(action: EuclideanAction, chains: Int, records: Int) -> [any Measurements.Measurement] {
    [
        ConfigurationObservables(action: action, chains: chains, reservingRecords: records),
        CorrelatorMeasurement(
            lattice: action.lattice, fft: RealFFT(extent: action.lattice.extent), chains: chains, reservingRecords: records,
            exact: nil, groundState: false),
    ]
}

/// Feeds `records` batches of every chain's field to fresh measurements; their results.
func measure(
    action: EuclideanAction, chains: Int, records: Int, _ produce: ((FieldBatch) throws -> Void) throws -> Void
) throws -> MeasurementResults {
    var list = phiFourMeasurements(action: action, chains: chains, records: records)
    try produce { fields in
        let sweep = MeasuredSweep(fields: fields, localEnergies: [])
        for i in list.indices { list[i].record(sweep) }
    }
    let gamma = GammaMethod()
    return list.reduce(MeasurementResults()) { $0.merging($1.results(gamma: gamma)) }
}

/// Thermalisation of the deformed ensemble `index`, in units of about 10^7
/// neuron-site operations (at least one sweep).
struct DeformedThermalizationStage: RunStage {
    let index: Int
    let chains: DeformedNetworkChains
    let sweeps: Int
    let parallelism: Parallelism

    var name: String { "thermalisation (N = \(chains.prior.width))" }
    let divergenceRetries = 0

    func isComplete(_ state: NetworkCheckpoint) -> Bool { state.ensembles[index].thermalized >= sweeps }

    func advance(_ state: inout NetworkCheckpoint, _ context: StageContext) throws -> (UnitReport, Void) {
        let start = ContinuousClock.now
        var e = state.ensembles[index]
        guard var list = e.chains else { throw SimulationError.checkpointMismatch("a phi^4 network ensemble has no chains") }
        let perSweep = chains.prior.width * chains.prior.inputs.count * list.count
        let n = min(sweeps - e.thermalized, max(1, 10_000_000 / max(1, perSweep)))
        _ = try chains.sample(&list, records: 1, every: n, stop: context.stop, parallelism: parallelism)
        e.chains = list
        e.thermalized += n
        e.seconds += seconds(since: start)
        state.ensembles[index] = e
        let summary = String(format: "sweeps, acceptance %.3f", DeformedNetworkChains.acceptance(list))
        return (UnitReport(completed: e.thermalized, total: sweeps, summary: summary, isCheckpointStep: true), ())
    }
}

/// The measurement of the deformed ensemble `index` as one unit (a stop
/// discards it; resuming repeats it from the thermalised chains, with the same numbers).
struct DeformedMeasurementStage: RunStage {
    let index: Int
    let chains: DeformedNetworkChains
    let action: EuclideanAction
    let samples: Int
    let every: Int
    let parallelism: Parallelism

    var name: String { "measurement (N = \(chains.prior.width))" }
    let divergenceRetries = 0

    func isComplete(_ state: NetworkCheckpoint) -> Bool { state.ensembles[index].measured != nil }

    func advance(_ state: inout NetworkCheckpoint, _ context: StageContext) throws -> (UnitReport, Void) {
        let start = ContinuousClock.now
        var e = state.ensembles[index]
        guard var list = e.chains else { throw SimulationError.checkpointMismatch("a phi^4 network ensemble has no chains") }
        for c in list.indices {
            list[c].accepted = 0
            list[c].proposed = 0
        }
        let count = list.count, records = samples / count, v = action.lattice.volume
        let series = try chains.sample(&list, records: records, every: every, stop: context.stop, parallelism: parallelism)
        let results = try measure(action: action, chains: count, records: records) { record in
            var batch = FieldBatch(rows: count, columns: v)
            for r in 0..<records {
                for c in 0..<count { for x in 0..<v { batch.storage[c * v + x] = series[c][r * v + x] } }
                try record(batch)
            }
        }
        let elapsed = seconds(since: start)
        e.chains = list
        e.measured = NetworkCheckpoint.MeasuredEnsemble(
            measurements: results, acceptance: DeformedNetworkChains.acceptance(list), seconds: elapsed)
        e.seconds += elapsed
        state.ensembles[index] = e
        let headline = results.estimates["chi2"].map { "chi2 = \($0.mean) +- \($0.error)" } ?? ""
        return (UnitReport(completed: records, total: records, summary: headline), ())
    }
}

/// The HMC reference of a phi^4 network run: the same lattice and couplings
/// sampled from exp(-S) directly (`HybridMonteCarlo`), thermalised in units of
/// 100 trajectories, then measured as one unit.
struct HMCReferenceStage: RunStage {
    let sampler: HybridMonteCarlo
    let thermalization: Int
    let samples: Int

    var name: String { "HMC reference" }
    let divergenceRetries = 0

    func isComplete(_ state: NetworkCheckpoint) -> Bool { state.reference.map { $0.measured != nil } ?? true }

    func advance(_ state: inout NetworkCheckpoint, _ context: StageContext) throws -> (UnitReport, Void) {
        guard var reference = state.reference else { return (UnitReport(completed: 1, total: 1, summary: ""), ()) }
        if reference.thermalized < thermalization {
            let n = min(100, thermalization - reference.thermalized)
            try sampler.thermalize(&reference.hmc, trajectories: n, stop: context.stop)
            reference.thermalized += n
            state.reference = reference
            let summary = String(format: "thermalisation trajectories, acceptance %.3f", reference.hmc.acceptance)
            return (UnitReport(completed: reference.thermalized, total: thermalization, summary: summary, isCheckpointStep: true), ())
        }
        let start = ContinuousClock.now
        var chains = reference.hmc
        chains.resetCounters()
        let count = chains.fields.rows, records = samples / count
        let results = try measure(action: sampler.action, chains: count, records: records) { record in
            try sampler.sample(&chains, records: records, stop: context.stop, record: record)
        }
        reference.hmc = chains
        reference.measured = NetworkCheckpoint.MeasuredEnsemble(
            measurements: results, acceptance: chains.acceptance, seconds: seconds(since: start))
        state.reference = reference
        let headline = results.estimates["chi2"].map { "chi2 = \($0.mean) +- \($0.error)" } ?? ""
        return (UnitReport(completed: records, total: records, summary: headline), ())
    }
}
