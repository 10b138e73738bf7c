import Correlators
import FourierTransform
import Lattice
import NeuralAnsatz
import Sampling
import RunEngine
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
        var energies = ReplicaSeries(chains: c.sampler.chains, observables: 1, reservingRecords: sweeps)
        var correlators = CorrelatorMeasurement(
            lattice: lattice, fft: fft, chains: c.sampler.chains, reservingRecords: sweeps)
        try driver.measure(sweeps: sweeps) { fields, localEnergies in
            try context.stop.check()
            energies.append(record: localEnergies)
            correlators.record(fields)
        }
        let gamma = GammaMethod()
        let energy = gamma.estimate(energies)
        let free = setup.theory.isFree ? FreeTheory(lattice: lattice, massSquared: setup.theory.massSquared) : nil
        guard energy.mean.isFinite, energy.error.isFinite else {
            throw Divergence("evaluation energy \(energy.mean) +- \(energy.error)")
        }
        state.evaluation = EvaluationOutcome(
            energy: energy, acceptance: driver.samplerState.acceptance,
            correlators: correlators.result(gamma: gamma, free: free),
            seconds: seconds(since: start))
        let summary = "E = \(energy.mean) +- \(energy.error) from \(energy.count) samples"
        return (UnitReport(completed: 1, total: 1, summary: summary), ())
    }
}
