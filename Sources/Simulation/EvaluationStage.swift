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
        var done = 0, accepted = 0, proposed = 0
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
            // Each round's measure resets the counters: the evaluation's acceptance is over all rounds.
            (accepted, proposed) = (accepted + driver.samplerState.accepted, proposed + driver.samplerState.proposed)
            // Without a target one round is the evaluation: no estimate is needed here.
            guard c.evaluation.hasTarget else { break }
            let estimate = energy.estimate(gamma: gamma)
            guard let target = c.evaluation.target(for: estimate) else { break }
            // The records are the same on every rank but the clocks are not: every
            // rank plans from rank 0's, so all decide alike.
            let clock = setup.parallelism.ranks.broadcast(
                [seconds(since: start).bitPattern, seconds(since: roundStart).bitPattern]
            ).map(Double.init(bitPattern:))
            let next = EvaluationPrecision.nextRound(
                done: done, error: estimate.error, target: target, cap: capSweeps,
                secondsLeft: c.evaluation.maxSeconds.map { $0 - clock[0] }, secondsPerSweep: clock[1] / Double(roundSweeps))
            guard let sweeps = next.sweeps else {
                precision = EvaluationPrecision(
                    target: target, reached: estimate.error <= target, limit: next.limit,
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
            measurements: results, acceptance: proposed == 0 ? 0 : Double(accepted) / Double(proposed), seconds: seconds(since: start),
            precision: precision)
        let summary = "E = \(e.mean) +- \(e.error) from \(e.count) samples"
        return (UnitReport(completed: done, total: done, summary: summary), ())
    }
}
