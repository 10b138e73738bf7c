import Correlators
import Foundation
import FourierTransform
import Lattice
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
        guard a.kind.isNeural else { return try run(gaussian, progress: progress) }
        if a.tail ?? false {
            return try runNeural(TailedGaussian(gaussian: gaussian, coupling: theory.coupling), progress: progress)
        }
        return try runNeural(gaussian, progress: progress)
    }

    /// A neural ansatz on top of `base`, as the config describes it.
    private func runNeural<Base: WavefunctionModel>(_ base: Base, progress: (StepRecord, Int) -> Void) throws -> RunResult {
        let a = configuration.ansatz
        let activation = Activation(rawValue: (a.activation ?? .tanh).rawValue)!
        // Network weights have their own random stream, apart from the chains'.
        var random = RandomSource(seed: configuration.seed, stream: 1 << 40)
        switch a.kind {
        case .gaussian, .gaussianMLP:
            let network = MultilayerPerceptron(inputs: lattice.volume, hidden: a.hidden ?? [], activation: activation)
            return try run(GaussianNetwork(
                base: base, network: network,
                networkParameters: network.initialParameters(random: &random, outputScale: a.outputScale ?? 0),
                symmetrized: a.symmetrize ?? false), progress: progress)
        case .symmetric:
            let network = TranslationInvariantNetwork(
                lattice: lattice, kernelSize: a.kernel ?? 3, hidden: a.hidden ?? [], activation: activation)
            return try run(GaussianNetwork(
                base: base, network: network,
                networkParameters: network.cell.initialParameters(random: &random, outputScale: a.outputScale ?? 0),
                symmetrized: a.symmetrize ?? false), progress: progress)
        }
    }

    private func run<Model: WavefunctionModel>(
        _ model: Model, progress: (StepRecord, Int) -> Void
    ) throws -> RunResult {
        let c = configuration
        let sampler = MetropolisSampler(
            proposal: c.sampler.kind == .mala ? .langevin : .randomWalk, chains: c.sampler.chains, sweep: c.sampler.sweep, targetAcceptance: c.sampler.targetAcceptance)
        var driver = VMCDriver(
            theory: theory, model: model, sampler: sampler,
            samplerState: sampler.initialState(sites: lattice.volume, seed: c.seed),
            optimizer: ConfiguredOptimizer(c.optimizer),
            sweepsPerStep: c.optimizer.samples / c.sampler.chains, discardSweeps: c.sampler.discard)

        // Optimisation.
        let optimizationStart = Date()
        driver.thermalize(sweeps: c.sampler.thermalization)
        var history: [StepRecord] = []
        for step in 0..<c.optimizer.steps {
            let start = Date()
            let report = try driver.step()
            guard report.energy.mean.isFinite, driver.model.parameters.allSatisfy(\.isFinite) else {
                throw SimulationError.diverged(step: step, detail: "energy \(report.energy.mean)")
            }
            let record = StepRecord(
                step: step, energy: report.energy, acceptance: report.acceptance,
                learningRate: report.learningRate, seconds: Date().timeIntervalSince(start))
            history.append(record)
            progress(record, c.optimizer.steps)
        }
        let optimizationSeconds = Date().timeIntervalSince(optimizationStart)

        // Evaluation at fixed parameters.
        let evaluationStart = Date()
        driver.thermalize(sweeps: c.sampler.thermalization)
        let sweeps = c.evaluation.samples / c.sampler.chains
        var energies = ReplicaSeries(chains: c.sampler.chains, observables: 1, reservingRecords: sweeps)
        var correlators = CorrelatorMeasurement(
            lattice: lattice, fft: fft, chains: c.sampler.chains, reservingRecords: sweeps)
        driver.measure(sweeps: sweeps) { fields, localEnergy in
            energies.append(record: localEnergy)
            correlators.record(fields)
        }
        let gamma = GammaMethod()
        let energy = gamma.estimate(energies)
        guard energy.mean.isFinite, energy.error.isFinite else {
            throw SimulationError.diverged(step: c.optimizer.steps, detail: "evaluation energy \(energy.mean)")
        }
        let free = theory.isFree ? FreeTheory(lattice: lattice, massSquared: theory.massSquared) : nil
        let correlatorResult = correlators.result(gamma: gamma, free: free)
        let evaluationSeconds = Date().timeIntervalSince(evaluationStart)

        return RunResult(
            history: history, energy: energy, acceptance: driver.samplerState.acceptance,
            correlators: correlatorResult, reference: try reference(),
            optimizationSeconds: optimizationSeconds, evaluationSeconds: evaluationSeconds,
            checkpoint: Checkpoint(
                step: c.optimizer.steps, parameters: driver.model.parameters,
                optimizer: driver.optimizer, sampler: driver.samplerState))
    }
}
