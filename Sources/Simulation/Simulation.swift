import Correlators
import Foundation
import FourierTransform
import Lattice
import LinearAlgebra
import NeuralAnsatz
import Sampling
import SimulationConfig
import Statistics
import VMC

/// A variational Monte Carlo run as a config describes it: optimise the ansatz
/// (`optimizer.steps` steps), then measure energy and correlators at fixed
/// parameters (`evaluation.samples` samples).
public struct Simulation: Sendable {
    public let configuration: RunConfiguration
    public let lattice: Lattice
    public let theory: ScalarTheory
    /// One FFT plan pair for the lattice shape, shared by the ansatz and the correlators.
    public let fft: RealFFT

    /// Retries of a diverging step, each at half the previous learning rate.
    public static let divergenceRetries = 3

    public init(configuration: RunConfiguration) {
        self.configuration = configuration
        lattice = Lattice(extent: configuration.lattice.extent)
        theory = ScalarTheory(
            lattice: lattice, massSquared: configuration.theory.m2, coupling: configuration.theory.lambda)
        fft = RealFFT(extent: lattice.extent)
    }

    /// The exact ground-state energy when one can be computed: the free theory,
    /// or exact diagonalisation on at most 4 sites.
    public func reference() throws -> EnergyReference? {
        guard ExactReference.isAvailable(for: theory) else { return nil }
        return try ExactReference(theory: theory).energyReference
    }

    /// Runs the optimisation and the evaluation. `progress` sees every step.
    public func run(progress: @escaping (StepRecord, _ total: Int) -> Void = { _, _ in }) throws -> RunResult {
        var control = RunControl()
        control.progress = progress
        return try run(control)
    }

    /// Runs (or, with `control.resume`, continues) the optimisation and the evaluation.
    public func run(_ control: RunControl) throws -> RunResult {
        let a = configuration.ansatz
        let gaussian = GaussianAnsatz(lattice: lattice, fft: fft, initialFrequency: a.initialFrequency)
        let activation = Activation(rawValue: (a.activation ?? .tanh).rawValue)!
        // Network weights have their own random stream, apart from the chains'.
        var random = RandomSource(seed: configuration.seed, stream: 1 << 40)
        let outputScale = a.outputScale ?? 0
        switch a.kind {
        case .gaussian:
            return try run(gaussian, control)
        case .gaussianMLP:
            let network = MultilayerPerceptron(inputs: lattice.volume, hidden: a.hidden ?? [], activation: activation)
            let parameters = network.initialParameters(random: &random, outputScale: outputScale)
            return try runNeural(gaussian, network, parameters, control)
        case .symmetric:
            let network = TranslationInvariantNetwork(
                lattice: lattice, kernelSize: a.kernel ?? 3, hidden: a.hidden ?? [], activation: activation)
            let parameters = network.cell.initialParameters(random: &random, outputScale: outputScale)
            return try runNeural(gaussian, network, parameters, control)
        }
    }

    /// The Gaussian (with the |phi|^3 tail when configured) times `exp(network)`.
    private func runNeural<Network: FieldNetwork>(
        _ gaussian: GaussianAnsatz, _ network: Network, _ parameters: [Double], _ control: RunControl
    ) throws -> RunResult {
        let symmetrized = configuration.ansatz.symmetrize ?? false
        if configuration.ansatz.tail ?? false {
            let base = TailedGaussian(gaussian: gaussian, coupling: theory.coupling)
            return try run(
                GaussianNetwork(base: base, network: network, networkParameters: parameters, symmetrized: symmetrized),
                control)
        }
        return try run(
            GaussianNetwork(base: gaussian, network: network, networkParameters: parameters, symmetrized: symmetrized),
            control)
    }

    private func run<Model: WavefunctionModel>(_ initial: Model, _ control: RunControl) throws -> RunResult {
        let c = configuration
        var model = initial
        var state: OptimizationState<Model>
        if let checkpoint = control.resume {
            guard checkpoint.configuration == c else {
                throw SimulationError.checkpointMismatch("the checkpoint was written by a different configuration")
            }
            guard checkpoint.parameters.count == model.parameterCount else {
                throw SimulationError.checkpointMismatch("the checkpoint has \(checkpoint.parameters.count) parameters, the ansatz \(model.parameterCount)")
            }
            model.parameters = checkpoint.parameters
            var driver = makeDriver(model)
            driver.optimizer = checkpoint.optimizer
            driver.samplerState = checkpoint.sampler
            state = OptimizationState(
                driver: driver, history: checkpoint.history, baseline: checkpoint.gaussianBaseline,
                secondsBefore: checkpoint.optimizationSeconds)
        } else {
            var baseline: GaussianBaseline?
            if c.ansatz.kind.isNeural, let steps = c.optimizer.gaussianSteps, steps > 0 {
                // The best Gaussian, measured in this run; its frequencies also start
                // the neural model (every model's parameters begin with the Gaussian's).
                let (parameters, energy) = try optimizeGaussian(steps: steps)
                model.parameters.replaceSubrange(0..<parameters.count, with: parameters)
                baseline = GaussianBaseline(steps: steps, energy: energy)
            }
            var driver = makeDriver(model)
            driver.thermalize(sweeps: c.sampler.thermalization)
            state = OptimizationState(driver: driver, history: [], baseline: baseline, secondsBefore: 0)
        }

        let optimizationStart = Date()
        func checkpoint() -> Checkpoint {
            state.checkpoint(configuration: c, seconds: state.secondsBefore + Date().timeIntervalSince(optimizationStart))
        }
        while state.history.count < c.optimizer.steps {
            if control.shouldStop() { throw SimulationError.interrupted(checkpoint()) }
            let record: StepRecord
            do {
                record = try guardedStep(&state.driver, step: state.history.count, configuration: c)
            } catch SimulationError.diverged(let step, let detail, _) {
                throw SimulationError.diverged(step: step, detail: detail, lastGood: checkpoint())
            }
            state.history.append(record)
            control.progress(record, c.optimizer.steps)
            if control.checkpointEvery > 0, state.history.count % control.checkpointEvery == 0 {
                try control.saveCheckpoint(checkpoint())
            }
        }
        if control.shouldStop() { throw SimulationError.interrupted(checkpoint()) }
        let final = checkpoint()

        // Evaluation at fixed parameters.
        let evaluationStart = Date()
        let sweeps = c.evaluation.samples / c.sampler.chains
        var correlators = CorrelatorMeasurement(
            lattice: lattice, fft: fft, chains: c.sampler.chains, reservingRecords: sweeps)
        var driver = state.driver
        let energy: Estimate
        do {
            energy = try evaluate(&driver, sweeps: sweeps) { correlators.record($0) }
        } catch SimulationError.diverged(let step, let detail, _) {
            throw SimulationError.diverged(step: step, detail: detail, lastGood: final)
        }
        let free = theory.isFree ? FreeTheory(lattice: lattice, massSquared: theory.massSquared) : nil
        let correlatorResult = correlators.result(gamma: GammaMethod(), free: free)
        let evaluationSeconds = Date().timeIntervalSince(evaluationStart)

        return RunResult(
            history: state.history, energy: energy, acceptance: driver.samplerState.acceptance,
            correlators: correlatorResult, reference: try reference(), gaussianBaseline: state.baseline,
            optimizationSeconds: final.optimizationSeconds, evaluationSeconds: evaluationSeconds,
            checkpoint: final)
    }

    /// The plain Gaussian optimised for `steps` steps with the run's sampler and
    /// optimiser settings, and its energy from a quarter of the evaluation samples.
    private func optimizeGaussian(steps: Int) throws -> (parameters: [Double], energy: Estimate) {
        let c = configuration
        var driver = makeDriver(GaussianAnsatz(lattice: lattice, fft: fft, initialFrequency: c.ansatz.initialFrequency))
        try optimize(&driver, steps: steps)
        let sweeps = max(1, c.evaluation.samples / (4 * c.sampler.chains))
        return (driver.model.parameters, try evaluate(&driver, sweeps: sweeps) { _ in })
    }

    private static let proposals: [SamplerKind: MetropolisSampler.Proposal] = [
        .metropolis: .randomWalk, .mala: .langevin, .singleSite: .singleSite,
    ]

    private func makeDriver<Model: WavefunctionModel>(_ model: Model) -> VMCDriver<Model, ConfiguredOptimizer> {
        let c = configuration
        let sampler = MetropolisSampler(
            proposal: Self.proposals[c.sampler.kind]!, chains: c.sampler.chains,
            sweep: c.sampler.sweep, targetAcceptance: c.sampler.targetAcceptance)
        return VMCDriver(
            theory: theory, model: model, sampler: sampler,
            samplerState: sampler.initialState(sites: lattice.volume, seed: c.seed),
            optimizer: ConfiguredOptimizer(c.optimizer),
            sweepsPerStep: c.optimizer.samples / c.sampler.chains, discardSweeps: c.sampler.discard)
    }

    /// Thermalises, then runs `steps` optimisation steps; stops on a non-finite energy or parameter.
    /// Thermalises, then runs `steps` guarded optimisation steps (the Gaussian stage).
    private func optimize<Model: WavefunctionModel>(
        _ driver: inout VMCDriver<Model, ConfiguredOptimizer>, steps: Int
    ) throws {
        driver.thermalize(sweeps: configuration.sampler.thermalization)
        for step in 0..<steps { _ = try guardedStep(&driver, step: step, configuration: configuration) }
    }

    /// One optimisation step with the divergence guard: a step whose energy,
    /// parameters or solve is not finite is undone (parameters, optimiser and
    /// chains restored) and retried with half the learning rate, at most
    /// `Self.divergenceRetries` times in a row; then `driver` is left at the last
    /// good state and the error is thrown (the caller attaches the checkpoint).
    private func guardedStep<Model: WavefunctionModel>(
        _ driver: inout VMCDriver<Model, ConfiguredOptimizer>, step: Int, configuration c: RunConfiguration
    ) throws -> StepRecord {
        let start = Date()
        let lastGood = driver
        var failure = ""
        for attempt in 0...Self.divergenceRetries {
            if attempt > 0 {
                driver = lastGood
                driver.optimizer.scaleLearningRate(by: pow(0.5, Double(attempt)))
            }
            do {
                let r = try driver.step()
                if r.energy.mean.isFinite, r.energy.error.isFinite, driver.model.parameters.allSatisfy(\.isFinite) {
                    return StepRecord(
                        step: step, energy: r.energy, acceptance: r.acceptance, learningRate: r.learningRate,
                        seconds: Date().timeIntervalSince(start))
                }
                failure = "energy \(r.energy.mean) +- \(r.energy.error)"
            } catch let error as LinearAlgebraError {
                failure = "SR solve failed (\(error))"
            }
        }
        driver = lastGood
        throw SimulationError.diverged(
            step: step,
            detail: "\(failure), also after \(Self.divergenceRetries) retries with the learning rate halved each time",
            lastGood: nil)
    }

    /// Thermalises, then measures the energy over `sweeps` sweeps at fixed
    /// parameters, passing each sweep's fields to `observe`.
    private func evaluate<Model: WavefunctionModel>(
        _ driver: inout VMCDriver<Model, ConfiguredOptimizer>, sweeps: Int, observe: (FieldBatch) -> Void
    ) throws -> Estimate {
        let c = configuration
        driver.thermalize(sweeps: c.sampler.thermalization)
        var energies = ReplicaSeries(chains: c.sampler.chains, observables: 1, reservingRecords: sweeps)
        driver.measure(sweeps: sweeps) { fields, localEnergy in
            energies.append(record: localEnergy)
            observe(fields)
        }
        let energy = GammaMethod().estimate(energies)
        guard energy.mean.isFinite, energy.error.isFinite else {
            throw SimulationError.diverged(
                step: c.optimizer.steps, detail: "evaluation energy \(energy.mean)", lastGood: Checkpoint?.none)
        }
        return energy
    }
}

/// The optimisation in progress: the driver, the steps done, the Gaussian baseline.
struct OptimizationState<Model: WavefunctionModel> {
    var driver: VMCDriver<Model, ConfiguredOptimizer>
    var history: [StepRecord]
    var baseline: GaussianBaseline?
    var secondsBefore: Double

    func checkpoint(configuration: RunConfiguration, seconds: Double) -> Checkpoint {
        Checkpoint(
            step: history.count, parameters: driver.model.parameters, optimizer: driver.optimizer,
            sampler: driver.samplerState, history: history, gaussianBaseline: baseline,
            configuration: configuration, optimizationSeconds: seconds)
    }
}
