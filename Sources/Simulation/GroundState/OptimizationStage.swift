import Foundation
import LinearAlgebra
import Measurements
import NeuralAnsatz
import RunEngine
import Sampling
import Statistics
import VMC

/// An optimisation as a stage of the run loop: one unit thermalises the
/// chains, then each unit is one VMC step (`VMCDriver.step`). A step whose
/// energy, parameters or SR solve is not finite throws `Divergence`; the loop
/// retries it from the state before, this stage halving the learning rate on
/// each retry (`0.5^attempt`). With `optimizer.target_variance` the main
/// optimisation ends at the first step where the variance per site, averaged
/// over the last `OptimizerSection.targetWindow` steps, is at most the target.
///
/// The same stage serves the main optimisation and a neural run's plain-Gaussian
/// warm start: that one ends with a measurement of the Gaussian (the baseline
/// the network's gain is measured against), whose frequencies then start the
/// main model (every model's parameters begin with the Gaussian's).
struct OptimizationStage<Model: WavefunctionModel, Chains: MetropolisHastings>: RunStage
where Chains.Density == BornDensity<Model> {
    enum Role { case warmStart, main }

    let role: Role
    let setup: VMCSetup<Model, Chains>
    let steps: Int

    var name: String { role == .main ? "optimisation" : "gaussian" }
    let divergenceRetries = 3

    private func progress(_ state: GroundStateCheckpoint) -> OptimizationProgress? {
        role == .main ? state.optimization : state.gaussian
    }

    private func update(_ state: inout GroundStateCheckpoint, _ change: (inout OptimizationProgress) -> Void) {
        switch role {
        case .main: change(&state.optimization)
        case .warmStart: if state.gaussian != nil { change(&state.gaussian!) }
        }
    }

    func isComplete(_ state: GroundStateCheckpoint) -> Bool {
        guard let p = progress(state) else { return true }
        return role == .main && p.thermalized && (p.history.count >= steps || p.targetReachedAtStep != nil)
    }

    func advance(_ state: inout GroundStateCheckpoint, _ context: StageContext) throws -> (UnitReport, StepRecord?) {
        guard let current = progress(state) else { return (UnitReport(completed: 0, total: 0, summary: ""), nil) }
        let start = ContinuousClock.now
        var driver = setup.driver(current)
        if !current.thermalized {
            let sweeps = setup.configuration.sampler.thermalization
            try driver.thermalize(sweeps: sweeps, stop: context.stop)
            update(&state) {
                $0.store(driver)
                $0.thermalized = true
                $0.seconds += seconds(since: start)
            }
            return (UnitReport(completed: 0, total: steps, summary: "chains thermalised (\(sweeps) sweeps)"), nil)
        }
        if current.history.count >= steps {
            // Only the warm start gets here: its closing measurement.
            try measureBaseline(&state, driver: &driver, context)
            return (UnitReport(completed: steps, total: steps, summary: "Gaussian measured"), nil)
        }
        if context.attempt > 0 { driver.optimizer.scaleLearningRate(by: pow(0.5, Double(context.attempt))) }
        let report: StepReport
        do {
            report = try driver.step()
        } catch let error as LinearAlgebraError {
            throw Divergence("SR solve failed (\(error)); each retry halves the learning rate")
        } catch let error as NonFiniteSamples {
            throw Divergence("local energies not finite (\(error)); each retry halves the learning rate")
        }
        let e = report.energy
        guard e.mean.isFinite, e.error.isFinite, driver.model.parameters.allSatisfy({ $0.isFinite }) else {
            throw Divergence("energy \(e.mean) +- \(e.error); each retry halves the learning rate")
        }
        let elapsed = seconds(since: start)
        let record = StepRecord(
            step: current.history.count, energy: e, acceptance: report.acceptance, learningRate: report.learningRate,
            seconds: elapsed)
        update(&state) {
            $0.store(driver)
            $0.seconds += elapsed
        }
        let summary = String(
            format: "E = %.10g +- %.2g  var = %.3g  acc = %.2f", e.mean, e.error, e.variance, report.acceptance)
        return (UnitReport(completed: record.step + 1, total: steps, summary: summary), record)
    }

    func append(_ record: StepRecord?, to state: inout GroundStateCheckpoint) {
        guard let record else { return }
        let sites = setup.theory.lattice.volume
        let target = role == .main ? setup.configuration.optimizer.targetVariance : nil
        update(&state) {
            $0.history.append(record)
            if let target, let variance = $0.recentVariancePerSite(sites: sites), variance <= target {
                $0.targetReachedAtStep = $0.history.count
            }
        }
    }

    /// The warm start's end: the Gaussian measured on a quarter of the
    /// evaluation samples; its parameters start the main model.
    private func measureBaseline(
        _ state: inout GroundStateCheckpoint, driver: inout VMCDriver<Model, Chains, ConfiguredOptimizer>, _ context: StageContext
    ) throws {
        let c = setup.configuration
        let sweeps = max(1, c.evaluation.samples / (4 * c.sampler.chains))
        try driver.thermalize(sweeps: c.sampler.thermalization, stop: context.stop)
        let measurement = MeasurementSet([EnergyMeasurement()], chains: c.sampler.chains)
        var block = measurement.emptyBlock()
        try driver.measure(sweeps: sweeps) { fields, localEnergies in
            try context.stop.check()
            measurement.record(MeasuredSweep(fields: fields, localEnergies: localEnergies), into: &block)
        }
        var series = measurement.emptySeries()
        MeasurementSet.append(block, to: &series)
        guard let energy = try measurement.results(series, Analysis(stop: context.stop)).estimates[EnergyMeasurement.name],
            energy.mean.isFinite, energy.error.isFinite
        else {
            throw Divergence("the Gaussian warm start's energy is not finite")
        }
        let parameters = driver.model.parameters
        state.optimization.parameters.replaceSubrange(0..<parameters.count, with: parameters)
        state.gaussianBaseline = GaussianBaseline(steps: steps, energy: energy)
        state.optimization.seconds += state.gaussian?.seconds ?? 0
        state.gaussian = nil
    }
}

/// Wall seconds since `start`.
func seconds(since start: ContinuousClock.Instant) -> Double {
    let d = (ContinuousClock.now - start).components
    return Double(d.seconds) + Double(d.attoseconds) * 1e-18
}
