import Correlators
import Foundation
import FourierTransform
import Lattice
import LinearAlgebra
import Measurements
import NeuralAnsatz
import Parallelism
import RunEngine
import Sampling
import SimulationConfig
import Statistics
import VMC

/// A variational Monte Carlo run as a config describes it, as a `RunKind`:
/// optimise the ansatz (`optimizer.steps` steps, after a plain-Gaussian warm
/// start for networks), measure energy and correlators at fixed parameters
/// (`evaluation.samples` samples), then compute the exact reference if one exists.
public struct GroundStateRun: RunnableKind {
    public let configuration: GroundStateConfiguration
    public let lattice: Lattice
    public let theory: ScalarTheory
    /// One FFT plan pair for the lattice shape, shared by the ansatz and the correlators.
    public let fft: RealFFT

    /// `configuration` with its automatic choices resolved (`sampler.kind: auto`),
    /// as the summary and the checkpoint record it.
    public init(configuration: GroundStateConfiguration) {
        var configuration = configuration
        if configuration.sampler.kind == .auto {
            configuration.sampler.kind = configuration.ansatz.kind.factory.supportsSingleSite ? .singleSite : .metropolis
        }
        self.configuration = configuration
        lattice = Lattice(extent: configuration.lattice.extent)
        theory = ScalarTheory(
            lattice: lattice, massSquared: configuration.theory.m2, coupling: configuration.theory.lambda)
        fft = RealFFT(extent: lattice.extent)
    }

    /// What a resolved config asks for that its ansatz cannot do (the factory's
    /// capabilities), as config issues: refused before any work.
    public static func capabilityIssues(_ configuration: GroundStateConfiguration) -> [ConfigIssue] {
        let kind = configuration.ansatz.kind
        if configuration.sampler.kind == .singleSite && !kind.factory.supportsSingleSite {
            return [ConfigIssue(
                path: "sampler.kind",
                message: "single-site is not available for `ansatz.kind: \(kind.rawValue)` (no single-site updates); use metropolis or mala")]
        }
        return []
    }

    /// Runs the stages (warm start, optimisation, evaluation, reference) from the
    /// beginning, or with `control.resume` from a checkpoint, and returns the
    /// results (`execute` gives the final state instead).
    ///
    /// - Throws: `RunStopped` (interrupted, or diverged) with the state to save.
    public func run(_ control: RunControl<GroundStateCheckpoint> = RunControl()) throws -> GroundStateResult {
        if let checkpoint = control.resume { try checkResume(checkpoint) }
        return try result(try execute(control))
    }

    /// The stages for the model the config describes, with the samplers
    /// `sampler.kind` asks for, and the state to start from.
    struct VMCPlan: ModelConsumer {
        typealias Output = (stages: [any RunStage<GroundStateCheckpoint>], start: GroundStateCheckpoint)
        let simulation: GroundStateRun
        let checkpoint: GroundStateCheckpoint?
        let parallelism: Parallelism

        private var settings: MetropolisSettings {
            let s = simulation.configuration.sampler
            return MetropolisSettings(
                chains: s.chains, sweep: s.sweep, targetAcceptance: s.targetAcceptance, parallelism: parallelism)
        }

        func consume<Model: SiteLocalWavefunction>(_ model: Model) throws -> Output {
            guard simulation.configuration.sampler.kind == .singleSite else { return try allSite(model) }
            return try simulation.plan(
                model, SingleSiteSampler<BornDensity<Model>>(settings),
                warmStart: SingleSiteSampler<BornDensity<GaussianAnsatz>>(settings), checkpoint, parallelism)
        }

        func consume<Model: WavefunctionModel>(_ model: Model) throws -> Output { try allSite(model) }

        private func allSite<Model: WavefunctionModel>(_ model: Model) throws -> Output {
            switch simulation.configuration.sampler.kind {
            case .metropolis:
                return try simulation.plan(
                    model, RandomWalkSampler<BornDensity<Model>>(settings),
                    warmStart: RandomWalkSampler<BornDensity<GaussianAnsatz>>(settings), checkpoint, parallelism)
            case .mala:
                return try simulation.plan(
                    model, LangevinSampler<BornDensity<Model>>(settings),
                    warmStart: LangevinSampler<BornDensity<GaussianAnsatz>>(settings), checkpoint, parallelism)
            case .singleSite, .auto:
                // `auto` is resolved in `init`; single-site is refused by `capabilityIssues`.
                throw RunError.unsupported("`sampler.kind: single-site` needs an ansatz with single-site updates")
            }
        }
    }

    private func plan<Model: WavefunctionModel, Chains: MetropolisHastings, WarmStartChains: MetropolisHastings>(
        _ model: Model, _ sampler: Chains, warmStart warmStartSampler: WarmStartChains, _ checkpoint: GroundStateCheckpoint?,
        _ parallelism: Parallelism
    ) throws -> VMCPlan.Output
    where Chains.Density == BornDensity<Model>, WarmStartChains.Density == BornDensity<GaussianAnsatz> {
        let c = configuration
        let setup = VMCSetup(configuration: c, theory: theory, model: model, sampler: sampler, parallelism: parallelism)
        let warmStart = VMCSetup(
            configuration: c, theory: theory,
            model: GaussianAnsatz(lattice: lattice, fft: fft, initialFrequency: c.ansatz.initialFrequency),
            sampler: warmStartSampler, parallelism: parallelism)
        let gaussianSteps = c.ansatz.kind.isNeural ? c.optimizer.gaussianSteps ?? 0 : 0

        var state: GroundStateCheckpoint
        if let checkpoint {
            // Checked by the caller (`checkResume`): its config and its shapes are this run's.
            state = checkpoint
            state.configuration = c
        } else {
            state = GroundStateCheckpoint(
                configuration: c, gaussian: gaussianSteps > 0 ? warmStart.initialProgress() : nil,
                optimization: setup.initialProgress())
        }
        let stages: [any RunStage<GroundStateCheckpoint>] = [
            OptimizationStage(role: .warmStart, setup: warmStart, steps: gaussianSteps),
            OptimizationStage(role: .main, setup: setup, steps: c.optimizer.steps),
            EvaluationStage(setup: setup, fft: fft),
            ReferenceStage(theory: theory),
        ]
        return (stages, state)
    }

    /// The results of a finished run, with the warnings its own diagnostics call for.
    ///
    /// - Throws: `checkpointMismatch` for a state without an evaluated energy
    ///   (only an edited checkpoint.json can be one).
    func result(_ final: GroundStateCheckpoint) throws -> GroundStateResult {
        guard let evaluation = final.evaluation, let energy = evaluation.measurements.estimates[EnergyMeasurement.name] else {
            throw RunError.checkpointMismatch("the checkpoint's evaluation has no energy")
        }
        var warnings: [String] = []
        if let warning = RunDiagnostics.acceptanceWarning(evaluation.acceptance, what: "evaluation's") { warnings.append(warning) }
        if energy.count < 2 {
            warnings.append("the evaluation has \(energy.count) sample: its error cannot be estimated (raise evaluation.samples)")
        } else if energy.windowAtLimit == true && energy.error > Self.roundoff * abs(energy.mean) {
            warnings.append(RunDiagnostics.windowWarning("energy (\(energy.count / configuration.sampler.chains) samples per chain)", energy))
        }
        if configuration.optimizer.steps > 0 && !final.optimization.parametersMoved {
            warnings.append(
                "the parameters never moved in \(configuration.optimizer.steps) optimisation steps: the result is the "
                    + "starting ansatz (check optimizer.learning_rate and optimizer.max_step)")
        }
        if let p = evaluation.precision, !p.reached {
            let cap = p.limit == .maxSeconds
                ? String(format: "evaluation.max_seconds = %g", configuration.evaluation.maxSeconds ?? 0)
                : "evaluation.max_samples = \(configuration.evaluation.sampleCap)"
            warnings.append(
                String(format: "the energy's error %.3g did not reach the target %.3g", energy.error, p.target)
                    + ": the evaluation stopped at \(cap) after \(energy.count) samples (the target needs about \(p.samplesNeeded))")
        }
        if let target = configuration.optimizer.targetVariance, final.optimization.targetReachedAtStep == nil,
            configuration.optimizer.steps > 0
        {
            warnings.append(String(
                format: "the local energy's variance per site did not reach optimizer.target_variance = %g in %d steps "
                    + "(last %d steps' mean: %.3g)", target, configuration.optimizer.steps, GroundStateConfiguration.OptimizerSection.targetWindow,
                final.optimization.recentVariancePerSite(sites: lattice.volume) ?? .nan))
        }
        let orderParameter = evaluation.measurements.estimates.filter { OrderParameter.names.contains($0.key) }
        return GroundStateResult(
            history: final.history, energy: energy, acceptance: evaluation.acceptance,
            tables: evaluation.measurements.tables, orderParameter: orderParameter, precision: evaluation.precision,
            targetVarianceStep: final.optimization.targetReachedAtStep, reference: final.reference?.reference,
            gaussianBaseline: final.gaussianBaseline, optimizationSeconds: final.optimization.seconds,
            evaluationSeconds: evaluation.seconds, referenceSeconds: final.reference?.seconds ?? 0, warnings: warnings,
            notes: final.reference?.note.map { [$0] } ?? [], checkpoint: final)
    }

    /// The measurements of a ground-state evaluation: the energy first (its
    /// target is checked between rounds), the order parameter, the correlators.
    static func evaluationMeasurements(theory: ScalarTheory, fft: RealFFT, chains: Int) -> MeasurementSet {
        let free = theory.isFree ? FreeTheory(lattice: theory.lattice, massSquared: theory.massSquared) : nil
        return MeasurementSet([
            EnergyMeasurement(),
            OrderParameter(volume: theory.lattice.volume),
            CorrelatorMeasurement(lattice: theory.lattice, fft: fft, exact: free?.momentumCorrelator),
        ], chains: chains)
    }

    /// Relative error below which an estimate is exact to rounding (a free
    /// run's zero-variance energy): its window is not worth a warning.
    static let roundoff = 1e-10
}

extension GroundStateConfiguration: RunnableDescription {
    public typealias Kind = GroundStateRun
}
