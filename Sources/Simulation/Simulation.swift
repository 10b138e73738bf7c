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
    public func run(progress: (StepRecord, _ total: Int) -> Void = { _, _ in }) throws -> RunResult {
        let a = configuration.ansatz
        let gaussian = GaussianAnsatz(lattice: lattice, fft: fft, initialFrequency: a.initialFrequency)
        let activation = Activation(rawValue: (a.activation ?? .tanh).rawValue)!
        // Network weights have their own random stream, apart from the chains'.
        var random = RandomSource(seed: configuration.seed, stream: 1 << 40)
        let outputScale = a.outputScale ?? 0
        switch a.kind {
        case .gaussian:
            return try run(gaussian, progress: progress)
        case .gaussianMLP:
            let network = MultilayerPerceptron(inputs: lattice.volume, hidden: a.hidden ?? [], activation: activation)
            let parameters = network.initialParameters(random: &random, outputScale: outputScale)
            return try runNeural(gaussian, network, parameters, progress: progress)
        case .symmetric:
            let network = TranslationInvariantNetwork(
                lattice: lattice, kernelSize: a.kernel ?? 3, hidden: a.hidden ?? [], activation: activation)
            let parameters = network.cell.initialParameters(random: &random, outputScale: outputScale)
            return try runNeural(gaussian, network, parameters, progress: progress)
        }
    }

    /// The Gaussian (with the |phi|^3 tail when configured) times `exp(network)`.
    private func runNeural<Network: FieldNetwork>(
        _ gaussian: GaussianAnsatz, _ network: Network, _ parameters: [Double], progress: (StepRecord, Int) -> Void
    ) throws -> RunResult {
        let symmetrized = configuration.ansatz.symmetrize ?? false
        if configuration.ansatz.tail ?? false {
            let base = TailedGaussian(gaussian: gaussian, coupling: theory.coupling)
            return try run(
                GaussianNetwork(base: base, network: network, networkParameters: parameters, symmetrized: symmetrized),
                progress: progress)
        }
        return try run(
            GaussianNetwork(base: gaussian, network: network, networkParameters: parameters, symmetrized: symmetrized),
            progress: progress)
    }

    private func run<Model: WavefunctionModel>(
        _ initial: Model, progress: (StepRecord, Int) -> Void
    ) throws -> RunResult {
        let c = configuration
        var model = initial
        var baseline: GaussianBaseline?
        if c.ansatz.kind.isNeural, let steps = c.optimizer.gaussianSteps, steps > 0 {
            // The best Gaussian, measured in this run; its frequencies also start
            // the neural model (every model's parameters begin with the Gaussian's).
            let (parameters, energy) = try optimizeGaussian(steps: steps)
            model.parameters.replaceSubrange(0..<parameters.count, with: parameters)
            baseline = GaussianBaseline(steps: steps, energy: energy)
        }
        var driver = makeDriver(model)

        let optimizationStart = Date()
        let history = try optimize(&driver, steps: c.optimizer.steps, progress: progress)
        let optimizationSeconds = Date().timeIntervalSince(optimizationStart)

        // Evaluation at fixed parameters.
        let evaluationStart = Date()
        let sweeps = c.evaluation.samples / c.sampler.chains
        var correlators = CorrelatorMeasurement(
            lattice: lattice, fft: fft, chains: c.sampler.chains, reservingRecords: sweeps)
        let energy = try evaluate(&driver, sweeps: sweeps) { correlators.record($0) }
        let free = theory.isFree ? FreeTheory(lattice: lattice, massSquared: theory.massSquared) : nil
        let correlatorResult = correlators.result(gamma: GammaMethod(), free: free)
        let evaluationSeconds = Date().timeIntervalSince(evaluationStart)

        return RunResult(
            history: history, energy: energy, acceptance: driver.samplerState.acceptance,
            correlators: correlatorResult, reference: try reference(), gaussianBaseline: baseline,
            optimizationSeconds: optimizationSeconds, evaluationSeconds: evaluationSeconds,
            checkpoint: Checkpoint(
                step: c.optimizer.steps, parameters: driver.model.parameters,
                optimizer: driver.optimizer, sampler: driver.samplerState))
    }

    /// The plain Gaussian optimised for `steps` steps with the run's sampler and
    /// optimiser settings, and its energy from a quarter of the evaluation samples.
    private func optimizeGaussian(steps: Int) throws -> (parameters: [Double], energy: Estimate) {
        let c = configuration
        var driver = makeDriver(GaussianAnsatz(lattice: lattice, fft: fft, initialFrequency: c.ansatz.initialFrequency))
        _ = try optimize(&driver, steps: steps) { _, _ in }
        let sweeps = max(1, c.evaluation.samples / (4 * c.sampler.chains))
        return (driver.model.parameters, try evaluate(&driver, sweeps: sweeps) { _ in })
    }

    private func makeDriver<Model: WavefunctionModel>(_ model: Model) -> VMCDriver<Model, ConfiguredOptimizer> {
        let c = configuration
        let sampler = MetropolisSampler(
            proposal: c.sampler.kind == .mala ? .langevin : .randomWalk, chains: c.sampler.chains,
            sweep: c.sampler.sweep, targetAcceptance: c.sampler.targetAcceptance)
        return VMCDriver(
            theory: theory, model: model, sampler: sampler,
            samplerState: sampler.initialState(sites: lattice.volume, seed: c.seed),
            optimizer: ConfiguredOptimizer(c.optimizer),
            sweepsPerStep: c.optimizer.samples / c.sampler.chains, discardSweeps: c.sampler.discard)
    }

    /// Thermalises, then runs `steps` optimisation steps; stops on a non-finite energy or parameter.
    /// Thermalises, then runs `steps` optimisation steps with the divergence guard:
    /// a step whose energy, parameters or solve is not finite is undone (parameters,
    /// optimiser and chains restored) and retried with half the learning rate, at
    /// most `Self.divergenceRetries` times in a row; then the run stops with the last
    /// good state.
    private func optimize<Model: WavefunctionModel>(
        _ driver: inout VMCDriver<Model, ConfiguredOptimizer>, steps: Int, progress: (StepRecord, Int) -> Void
    ) throws -> [StepRecord] {
        driver.thermalize(sweeps: configuration.sampler.thermalization)
        var history: [StepRecord] = []
        for step in 0..<steps {
            let start = Date()
            let lastGood = driver
            var report: StepReport?
            var failure = ""
            for attempt in 0...Self.divergenceRetries {
                if attempt > 0 {
                    driver = lastGood
                    driver.optimizer.scaleLearningRate(by: pow(0.5, Double(attempt)))
                }
                do {
                    let r = try driver.step()
                    if r.energy.mean.isFinite, r.energy.error.isFinite, driver.model.parameters.allSatisfy(\.isFinite) {
                        report = r
                        break
                    }
                    failure = "energy \(r.energy.mean) +- \(r.energy.error)"
                } catch let error as LinearAlgebraError {
                    failure = "SR solve failed (\(error))"
                }
            }
            guard let report else {
                throw SimulationError.diverged(
                    step: step,
                    detail: "\(failure), also after \(Self.divergenceRetries) retries with the learning rate halved each time",
                    lastGood: Checkpoint(
                        step: step, parameters: lastGood.model.parameters, optimizer: lastGood.optimizer,
                        sampler: lastGood.samplerState))
            }
            let record = StepRecord(
                step: step, energy: report.energy, acceptance: report.acceptance,
                learningRate: report.learningRate, seconds: Date().timeIntervalSince(start))
            history.append(record)
            progress(record, steps)
        }
        return history
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
                step: c.optimizer.steps, detail: "evaluation energy \(energy.mean)",
                lastGood: Checkpoint(
                    step: c.optimizer.steps, parameters: driver.model.parameters, optimizer: driver.optimizer,
                    sampler: driver.samplerState))
        }
        return energy
    }
}
