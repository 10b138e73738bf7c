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
/// energy and the correlators. A stop request discards the unit: resuming
/// repeats it from the optimised state, with the same numbers.
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
        let sweeps = c.evaluation.samples / c.sampler.chains
        var driver = setup.driver(state.optimization)
        try driver.thermalize(sweeps: c.sampler.thermalization, stop: context.stop)
        let free = setup.theory.isFree ? FreeTheory(lattice: lattice, massSquared: setup.theory.massSquared) : nil
        var measurements: [any Measurement] = [
            EnergyMeasurement(chains: c.sampler.chains, reservingRecords: sweeps),
            CorrelatorMeasurement(
                lattice: lattice, fft: fft, chains: c.sampler.chains, reservingRecords: sweeps, exact: free?.momentumCorrelator),
        ]
        var done = 0
        try driver.measure(sweeps: sweeps) { fields, localEnergies in
            try context.stop.check()
            done += 1
            if done < sweeps { context.report(UnitReport(completed: done, total: sweeps, summary: "sweeps measured")) }
            let sweep = MeasuredSweep(fields: fields, localEnergies: localEnergies)
            for i in measurements.indices { measurements[i].record(sweep) }
        }
        let gamma = GammaMethod()
        let results = measurements.reduce(MeasurementResults()) { $0.merging($1.results(gamma: gamma)) }
        guard let energy = results.estimates[EnergyMeasurement.name], energy.mean.isFinite, energy.error.isFinite else {
            throw Divergence("evaluation energy \(results.estimates[EnergyMeasurement.name]?.mean ?? .nan)")
        }
        state.evaluation = EvaluationOutcome(
            measurements: results, acceptance: driver.samplerState.acceptance, seconds: seconds(since: start))
        let summary = "E = \(energy.mean) +- \(energy.error) from \(energy.count) samples"
        return (UnitReport(completed: sweeps, total: sweeps, summary: summary), ())
    }
}
