import Foundation
import NetworkFieldTheory
import Parallelism
import RunEngine

/// Ensemble `index` of independent networks, in units of whole groups of
/// batches (at most 2^18 networks and about 2^30 neuron-input evaluations, a
/// second or so of work): a stop request discards the unit in progress; the
/// sums so far are in the checkpoint.
struct NetworkEnsembleStage: RunStage {
    let index: Int
    let ensemble: NetworkEnsemble
    let parallelism: Parallelism

    var name: String { "ensemble (N = \(ensemble.prior.width))" }
    let divergenceRetries = 0

    func isComplete(_ state: NetworkCheckpoint) -> Bool { state.ensembles[index].batchesDone >= ensemble.batches }

    func advance(_ state: inout NetworkCheckpoint, _ context: StageContext) throws -> (UnitReport, Void) {
        try context.stop.check()
        let start = ContinuousClock.now
        var e = state.ensembles[index]
        var moments = e.moments ?? ensemble.emptyMoments()
        let work = ensemble.prior.width * ensemble.prior.inputs.count
        let perUnit = max(1, min(min(1 << 18, (1 << 30) / max(1, work)) / ensemble.batch, ensemble.batches))
        let range = e.batchesDone..<min(ensemble.batches, e.batchesDone + perUnit)
        ensemble.add(batches: range, to: &moments, parallelism: parallelism)
        e.moments = moments
        e.batchesDone = range.upperBound
        e.seconds += seconds(since: start)
        state.ensembles[index] = e
        let rate = Double(moments.networks) / max(e.seconds, 1e-9)
        return (
            UnitReport(
                completed: moments.networks, total: ensemble.networks,
                summary: String(format: "networks, %.3g per second", rate)), ()
        )
    }
}
