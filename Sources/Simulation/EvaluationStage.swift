import Correlators
import FourierTransform
import Lattice
import Measurements
import NeuralAnsatz
import RunEngine
import Sampling
import Statistics
import VMC

/// The fixed-parameter evaluation as one unit of the run loop: thermalise the
/// optimised model's chains, then sample `evaluation.samples` and measure the
/// energy, the order parameter and the correlators. With `evaluation.target_error`
/// (or `target_relative_error`) it continues in rounds until the energy's
/// Gamma-method error reaches the target, or `max_samples` or `max_seconds` stops
/// it (`EvaluationPrecision` says which). A stop request discards the unit:
/// resuming repeats it from the optimised state, with the same numbers.
struct EvaluationStage<Model: WavefunctionModel, Chains: MetropolisHastings>: RunStage
where Chains.Density == BornDensity<Model> {
    let setup: VMCSetup<Model, Chains>
    let fft: RealFFT

    let name = "evaluation"
    let divergenceRetries = 0

    func isComplete(_ state: Checkpoint) -> Bool { state.evaluation != nil }

    func advance(_ state: inout Checkpoint, _ context: StageContext) throws -> (UnitReport, Void) {
        let start = ContinuousClock.now
        let c = setup.configuration
        let lattice = setup.theory.lattice
        let chains = c.sampler.chains
        let capSweeps = c.evaluation.sampleCap / chains
        var planned = c.evaluation.samples / chains
        var driver = setup.driver(state.optimization)
        try driver.thermalize(sweeps: c.sampler.thermalization, stop: context.stop)
        let free = setup.theory.isFree ? FreeTheory(lattice: lattice, massSquared: setup.theory.massSquared) : nil
        var energy = EnergyMeasurement(chains: chains, reservingRecords: planned)
        var others: [any Measurement] = [
            OrderParameter(volume: lattice.volume, chains: chains, reservingRecords: planned),
            CorrelatorMeasurement(
                lattice: lattice, fft: fft, chains: chains, reservingRecords: planned, exact: free?.momentumCorrelator),
        ]
        let gamma = GammaMethod()
        var done = 0, accepted = 0.0
        var precision: EvaluationPrecision?
        while true {
            let roundStart = ContinuousClock.now, roundSweeps = planned - done
            try driver.measure(sweeps: roundSweeps) { fields, localEnergies in
                try context.stop.check()
                done += 1
                if done < planned { context.report(UnitReport(completed: done, total: planned, summary: "sweeps measured")) }
                let sweep = MeasuredSweep(fields: fields, localEnergies: localEnergies)
                energy.record(sweep)
                for i in others.indices { others[i].record(sweep) }
            }
            accepted += driver.samplerState.acceptance * Double(roundSweeps)
            let estimate = energy.estimate(gamma: gamma)
            guard let target = c.evaluation.target(for: estimate) else { break }
            let next = EvaluationPrecision.nextRound(
                done: done, error: estimate.error, target: target, cap: capSweeps,
                secondsLeft: c.evaluation.maxSeconds.map { $0 - seconds(since: start) },
                secondsPerSweep: seconds(since: roundStart) / Double(roundSweeps))
            // The records are the same on every rank but the clocks are not: the
            // time limit counts as soon as any rank has reached it, so all decide alike.
            let timeUp = setup.parallelism.ranks.any(next.limit == .maxSeconds)
            guard let sweeps = next.sweeps, !timeUp else {
                precision = EvaluationPrecision(
                    target: target, reached: estimate.error <= target, limit: timeUp ? .maxSeconds : next.limit,
                    samplesNeeded: EvaluationPrecision.samplesNeeded(samples: done * chains, error: estimate.error, target: target))
                break
            }
            planned = sweeps
        }
        let results = others.reduce(energy.results(gamma: gamma)) { $0.merging($1.results(gamma: gamma)) }
        guard let e = results.estimates[EnergyMeasurement.name], e.mean.isFinite, e.error.isFinite else {
            throw Divergence("evaluation energy \(results.estimates[EnergyMeasurement.name]?.mean ?? .nan)")
        }
        state.evaluation = EvaluationOutcome(
            measurements: results, acceptance: accepted / Double(done), seconds: seconds(since: start),
            precision: precision)
        let summary = "E = \(e.mean) +- \(e.error) from \(e.count) samples"
        return (UnitReport(completed: done, total: done, summary: summary), ())
    }
}
