import Correlators
import FourierTransform
import Foundation
import Lattice
import Measurements
import NeuralAnsatz
import RunEngine
import Sampling
import Statistics
import VMC

/// The fixed-parameter evaluation as units of the run loop: thermalise the
/// optimised model's chains, then sample `evaluation.samples` in units of a
/// multiple of the sampler's 16-sweep blocks (about a second's work each; the
/// records go into the state, so a stopped or killed evaluation resumes from
/// its last checkpoint with the same numbers), then analyse them: the energy,
/// the order parameter and the correlators. With `evaluation.target_error` (or
/// `target_relative_error`) it continues in rounds until the energy's
/// Gamma-method error reaches the target, or `max_samples` or `max_seconds`
/// stops it (`EvaluationPrecision` says which).
struct EvaluationStage<Model: WavefunctionModel, Chains: MetropolisHastings>: RunStage
where Chains.Density == BornDensity<Model>, Chains.State == SamplerState {
    let setup: VMCSetup<Model, Chains>
    let fft: RealFFT

    let name = "evaluation"
    let divergenceRetries = 0

    var measurements: MeasurementSet { GroundStateRun.evaluationMeasurements(theory: setup.theory, fft: fft, chains: setup.configuration.sampler.chains) }

    func isComplete(_ state: GroundStateCheckpoint) -> Bool { state.evaluation != nil }

    /// Sweeps per unit: a multiple of the sampler's block of 16 (so the units
    /// cut the sampling where one call would), about 2^22 site proposals.
    var unitSweeps: Int {
        let c = setup.configuration
        let perSweep = Double(c.sampler.chains) * Double(c.sampler.sweep) * Double(setup.theory.lattice.volume)
        return 16 * max(1, Int(min(1e6, 4_194_304 / max(1, perSweep))))
    }

    func advance(_ state: inout GroundStateCheckpoint, _ context: StageContext) throws -> (UnitReport, MeasurementSet.Block?) {
        let start = ContinuousClock.now
        let c = setup.configuration
        let chains = c.sampler.chains
        let measurements = self.measurements
        var progress = state.evaluating ?? EvaluationProgress(
            sampler: state.optimization.sampler, planned: c.evaluation.samples / chains,
            series: measurements.emptySeries(reservingRecords: c.evaluation.samples / chains))
        var driver = setup.driver(state.optimization)
        driver.samplerState = progress.sampler
        defer { state.evaluating?.seconds += seconds(since: start) }
        if !progress.thermalized {
            try driver.thermalize(sweeps: c.sampler.thermalization, stop: context.stop)
            progress.sampler = driver.samplerState
            progress.thermalized = true
            state.evaluating = progress
            return (UnitReport(completed: 0, total: progress.planned, summary: "chains thermalised"), nil)
        }
        if progress.done < progress.planned {
            // A unit of the round, cut where the sampler's blocks end.
            let n = min(progress.planned - progress.done, unitSweeps)
            var block = measurements.emptyBlock()
            var done = progress.done
            try driver.measure(sweeps: n) { fields, localEnergies in
                try context.stop.check()
                done += 1
                if done < progress.planned {
                    context.report(UnitReport(completed: done, total: progress.planned, summary: "sweeps measured"))
                }
                measurements.record(MeasuredSweep(fields: fields, localEnergies: localEnergies), into: &block)
            }
            progress.accepted += driver.samplerState.accepted
            progress.proposed += driver.samplerState.proposed
            progress.sampler = driver.samplerState
            progress.done += n
            progress.roundSeconds += seconds(since: start)
            state.evaluating = progress
            return (UnitReport(completed: progress.done, total: progress.planned, summary: "sweeps measured"), block)
        }
        if !progress.finished {
            try endRound(&progress, measurements: measurements, chains: chains)
            state.evaluating = progress
            return (UnitReport(completed: progress.done, total: progress.planned, summary: "round \(progress.finished ? "last" : "extended")"), nil)
        }
        // Every record is in: the analysis (its stop checks polled inside).
        let results = try measurements.results(progress.series, Analysis(stop: context.stop, parallelism: setup.parallelism))
        guard let e = results.estimates[EnergyMeasurement.name], e.mean.isFinite, e.error.isFinite else {
            throw Divergence("evaluation energy \(results.estimates[EnergyMeasurement.name]?.mean ?? .nan)")
        }
        state.evaluation = EvaluationOutcome(
            measurements: results, acceptance: progress.proposed == 0 ? 0 : Double(progress.accepted) / Double(progress.proposed),
            seconds: progress.seconds + seconds(since: start), precision: progress.precision)
        state.evaluating = nil
        return (UnitReport(completed: progress.done, total: progress.done, summary: "E = \(e.mean) +- \(e.error) from \(e.count) samples"), nil)
    }

    func append(_ block: MeasurementSet.Block?, to state: inout GroundStateCheckpoint) {
        guard let block, state.evaluating != nil else { return }
        MeasurementSet.append(block, to: &state.evaluating!.series)
    }

    /// At a round's end: without a target the rounds are over; with one, the
    /// energy's error decides the next round or the end (and which cap ended it).
    private func endRound(_ progress: inout EvaluationProgress, measurements: MeasurementSet, chains: Int) throws {
        let c = setup.configuration
        guard c.evaluation.hasTarget else {
            progress.finished = true
            return
        }
        let estimate = try measurements.measurements[0].results(progress.series[0], Analysis()).estimates[EnergyMeasurement.name]
            ?? Estimate(mean: .nan, error: .nan, variance: .nan, tauInt: .nan, count: 0)
        guard let target = c.evaluation.target(for: estimate) else {
            progress.finished = true
            return
        }
        // The records are the same on every rank but the clocks are not: every
        // rank plans from rank 0's, so all decide alike.
        let clock = setup.parallelism.ranks.broadcast([progress.seconds.bitPattern, progress.roundSeconds.bitPattern])
            .map(Double.init(bitPattern:))
        let next = EvaluationPrecision.nextRound(
            done: progress.done, error: estimate.error, target: target, cap: c.evaluation.sampleCap / chains,
            secondsLeft: c.evaluation.maxSeconds.map { $0 - clock[0] },
            secondsPerSweep: clock[1] / Double(max(1, progress.done - progress.roundStart)))
        guard let sweeps = next.sweeps else {
            progress.finished = true
            progress.precision = EvaluationPrecision(
                target: target, reached: estimate.error <= target, limit: next.limit,
                samplesNeeded: EvaluationPrecision.samplesNeeded(samples: progress.done * chains, error: estimate.error, target: target))
            return
        }
        progress.roundStart = progress.done
        progress.planned = sweeps
        progress.roundSeconds = 0
    }
}
