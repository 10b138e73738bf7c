import Correlators
import FourierTransform
import Foundation
import Lattice
import Measurements
import NormalizingFlows
import Optimizers
import Output
import Parallelism
import RunEngine
import Sampling
import SimulationConfig
import Statistics

/// Field configurations sampled from exp(-S) (`mode: euclidean`), or the path
/// integral of the Hamiltonian theory at several temporal spacings
/// (`mode: path-integral`), as a kind of run: per ensemble (a flow's training,)
/// a thermalisation and a measurement on one resumable `EuclideanCheckpoint`.
public struct EuclideanRun: RunnableKind {
    public let configuration: EuclideanConfiguration

    public init(configuration: EuclideanConfiguration) {
        self.configuration = configuration
    }

    public static let files = [
        "correlator_k.csv", "correlator_r.csv", "correlator_t.csv", "path_integral.csv", "training.csv",
        SavedFlow.name,
    ]

    /// The temporal spacings of the ensembles (one nil for a Euclidean run).
    var spacings: [Double?] { configuration.pathIntegral.map { $0.spacings.map(Optional.some) } ?? [nil] }

    func label(_ spacing: Double?) -> String { spacing.map { " (eps = \($0))" } ?? "" }

    /// The HMC sampler of an ensemble's action.
    func sampler(action: EuclideanAction, parallelism: Parallelism) -> HybridMonteCarlo {
        let s = configuration.sampler
        return HybridMonteCarlo(
            action: action, integrator: s.integrator, trajectoryLength: s.trajectoryLength, jitter: s.jitter,
            targetAcceptance: s.targetAcceptance,
            acceleration: s.fourierAcceleration
                ? FourierAcceleration(action: action, accelerationMass: configuration.resolvedAccelerationMass) : nil,
            parallelism: parallelism)
    }

    /// The measurements of an ensemble on `action`'s lattice: the configuration
    /// observables and correlators (averaged over the action's symmetry orbits),
    /// or for a projection path its energy.
    static func measurements(action: EuclideanAction, chains: Int) -> MeasurementSet {
        if action.ends != nil { return MeasurementSet([MixedEnergy(action: action)], chains: chains) }
        let lattice = action.lattice
        let exact = action.coupling == 0 ? action.freeKernel(massSquared: action.massSquared).map { 1 / $0 } : nil
        let symmetry = LatticeSymmetry.ofAction(lattice: lattice, anisotropic: action.temporalSpacing != 1)
        return MeasurementSet([
            ConfigurationObservables(action: action),
            CorrelatorMeasurement(
                lattice: lattice, fft: RealFFT(extent: lattice.extent), exact: exact, groundState: false, symmetry: symmetry),
            TimeSliceCorrelator(lattice: lattice),
        ], chains: chains)
    }

    /// The flow `f` on `lattice`, its parameters `parameters` or, when nil, drawn
    /// from `random` (the ensemble's training stream).
    func makeFlow(_ f: EuclideanConfiguration.FlowSection, on lattice: Lattice, parameters: [Double]?, random: inout RandomSource) -> any FieldFlow {
        var flow: any FieldFlow
        switch f.kind {
        case .realNVP:
            flow = AffineCouplingFlow(lattice: lattice, layers: f.layers, hidden: f.hidden ?? [], kernel: f.kernel ?? 1, random: &random)
        case .kernelCoupling:
            flow = KernelCouplingFlow(lattice: lattice, layers: f.layers, features: f.features ?? 1, channels: f.channels ?? 1, random: &random)
        }
        if let parameters { flow.parameters = parameters }
        return flow
    }

    /// The training's stream of an ensemble seeded `seed` (the chains' streams are 0..<chains).
    func trainingStream(seed: UInt64) -> RandomSource { RandomSource(seed: seed, stream: UInt64(configuration.sampler.chains)) }

    /// The flow's training schedule: per lattice its flow and action (the run's couplings).
    func trainingPhases<Flow: FieldFlow>(_ flow: Flow, seed: UInt64) -> [FlowTrainingStage<Flow>.Phase] {
        guard let f = configuration.flow else { return [] }
        let run = configuration.action()
        // The validation's prior draws: a stream family of their own, the same at every validation.
        let validation = (0..<f.validationSamples).map { RandomSource(seed: seed &+ 0x6A09_E667_F3BC_C908, stream: UInt64($0)) }
        return f.phases(lattice: configuration.lattice.extent).map { phase in
            let lattice = Lattice(extent: phase.extent)
            let action = EuclideanAction(
                lattice: lattice, massSquared: run.massSquared, coupling: run.coupling, temporalSpacing: run.temporalSpacing)
            return .init(flow: flow.on(lattice), action: action, steps: phase.steps, validation: validation)
        }
    }

    /// A flow ensemble's stages: the training through the schedule, then the
    /// independence Metropolis (with HMC between proposals when asked) on the
    /// run's lattice with the trained parameters.
    func flowStages<Flow: FieldFlow>(
        _ template: Flow, index: Int, seed: UInt64, action: EuclideanAction, measurements: MeasurementSet, parallelism: Parallelism
    ) -> [any RunStage<EuclideanCheckpoint>] {
        let c = configuration
        let chains = c.sampler.chains, records = c.measurement.samples / chains
        let slot = EnsembleSlot.index(index)
        var stages: [any RunStage<EuclideanCheckpoint>] = [
            FlowTrainingStage(
                index: index, phases: trainingPhases(template, seed: seed), batch: c.flow?.batch ?? 1,
                validationEvery: c.flow?.validationEvery ?? 1, parallelism: parallelism)
        ]
        let hmc = c.sampler.hmcTrajectories > 0 ? sampler(action: action, parallelism: parallelism) : nil
        let trajectories = c.sampler.hmcTrajectories
        // The measurement's streams are a family of their own (the training draws from stream `chains`).
        let streams = seed &+ 0x9E37_79B9_7F4A_7C15
        let flops = template.flopsPerSample * Double(1 + template.cosetShifts.count)
        @Sendable func trained(_ state: EuclideanCheckpoint) -> IndependenceMetropolis<Flow> {
            var flow = template
            flow.parameters = state.ensembles[index].flow?.parameters ?? template.parameters
            return IndependenceMetropolis(proposal: flow, action: action, parallelism: parallelism)
        }
        func measured<Sampler: EnsembleSampler>(_ sampler: @escaping @Sendable (EuclideanCheckpoint) -> Sampler) {
            stages.append(EnsembleThermalizationStage(
                slot: slot, sampler: sampler, rounds: c.sampler.thermalization, name: "thermalisation"))
            stages.append(EnsembleMeasurementStage(
                slot: slot, sampler: sampler, records: records, every: c.measurement.every, measurements: measurements,
                name: "measurement", parallelism: parallelism))
        }
        if let hmc {
            measured { state in
                InterleavedFlowEnsemble(
                    sampler: InterleavedHMC(independence: trained(state), hmc: hmc, trajectories: trajectories), chains: chains,
                    seed: streams, flopsPerProposal: flops)
            }
        } else {
            measured { state in FlowEnsemble(independence: trained(state), chains: chains, seed: streams, flopsPerProposal: flops) }
        }
        return stages
    }

    /// The parameters a flow run starts from: the saved flow's (`flow.initial`), or nil (drawn).
    func initialParameters() throws -> [Double]? {
        guard let path = configuration.flow?.initial else { return nil }
        switch SavedFlow.load(path) {
        case .success(let saved): return saved.parameters
        case .failure(let why): throw RunError.unsupported("flow.initial: \(path) \(why)")
        }
    }

    public func plan(resuming checkpoint: EuclideanCheckpoint?, parallelism: Parallelism) throws
        -> (stages: [any RunStage<EuclideanCheckpoint>], start: EuclideanCheckpoint)
    {
        let c = configuration
        var stages: [any RunStage<EuclideanCheckpoint>] = []
        var ensembles: [EuclideanCheckpoint.Ensemble] = []
        let chains = c.sampler.chains, records = c.measurement.samples / chains
        for (index, spacing) in spacings.enumerated() {
            // Stream families apart per ensemble: chain c of ensemble i uses seed + i.
            let seed = c.seed &+ UInt64(index)
            let action = c.action(spacing: spacing)
            let slot = EnsembleSlot.index(index)
            var ensemble = EuclideanCheckpoint.Ensemble(spacing: spacing, progress: EnsembleProgress())
            let measurements = Self.measurements(action: action, chains: chains)
            switch c.sampler.kind {
            case .hmc:
                let hmc = HMCEnsemble(hmc: sampler(action: action, parallelism: parallelism), chains: chains, seed: seed)
                stages.append(EnsembleThermalizationStage(
                    slot: slot, sampler: { _ in hmc }, rounds: c.sampler.thermalization, name: "thermalisation\(label(spacing))"))
                stages.append(EnsembleMeasurementStage(
                    slot: slot, sampler: { _ in hmc }, records: records, every: c.measurement.every, measurements: measurements,
                    name: "measurement\(label(spacing))", parallelism: parallelism))
            case .flow:
                guard let f = c.flow else { throw RunError.unsupported("a flow run needs a `flow` section") }
                var random = trainingStream(seed: seed)
                let parameters = checkpoint == nil ? try initialParameters() : nil
                let template = makeFlow(f, on: action.lattice, parameters: parameters, random: &random)
                let phases = f.phases(lattice: c.lattice.extent)
                ensemble.flow = EuclideanCheckpoint.FlowTraining(
                    parameters: template.parameters,
                    optimizer: Adam(learningRate: Schedule(initial: f.learningRate, final: f.learningRateFinal, steps: max(1, f.steps))),
                    random: random, steps: 0, seconds: 0, phaseSeconds: phases.map { _ in 0 }, history: [])
                stages += flowStages(
                    template, index: index, seed: seed, action: action, measurements: measurements, parallelism: parallelism)
            }
            ensembles.append(ensemble)
        }
        return (stages, checkpoint ?? EuclideanCheckpoint(configuration: c, ensembles: ensembles))
    }

    public func position(_ state: EuclideanCheckpoint) -> String {
        guard let index = state.ensembles.firstIndex(where: { $0.progress.result == nil }) else { return "after the last measurement" }
        let e = state.ensembles[index]
        let records = configuration.measurement.samples / configuration.sampler.chains
        var phase: String
        if let flow = e.flow, flow.steps < (configuration.flow?.steps ?? 0) {
            phase = "after training step \(flow.steps)"
        } else if e.progress.thermalized < configuration.sampler.thermalization {
            phase = "after \(e.progress.thermalized) thermalisation rounds"
        } else if e.progress.recorded < records {
            phase = "after \(e.progress.recorded) of \(records) measured configurations per chain"
        } else {
            phase = "during the analysis"
        }
        return phase + label(e.spacing)
    }

    /// training.csv: one row per training step (docs/CONVENTIONS.md §3).
    public func partialTables(_ state: EuclideanCheckpoint) -> [String: CSVTable] {
        guard let history = state.ensembles.last?.flow?.history else { return [:] }
        let phases = configuration.flow?.phases(lattice: configuration.lattice.extent) ?? []
        // The first four columns are those of nqft 0.2 (`loss` the batch's total, not per site).
        var table = CSVTable(header: [
            "step", "loss", "batch_ess", "seconds", "lattice", "loss_per_site", "kl_per_site", "log_z_per_site", "gradient_norm",
            "learning_rate", "validation_ess",
        ])
        for h in history {
            let extent = phases.indices.contains(h.phase) ? phases[h.phase].extent : []
            table.append([
                .integer(h.step), .number(h.loss * Double(extent.reduce(1, *))), .number(h.batchESS), .number(h.seconds),
                .text(extent.map(String.init).joined(separator: "x")), .number(h.loss), .number(h.divergence), .number(h.logZ),
                .number(h.gradientNorm), .number(h.learningRate), h.validationESS.map { .number($0) } ?? .text(""),
            ])
        }
        return ["training.csv": table]
    }

    /// flow.json once the training is complete: the trained flow with its provenance.
    public func artefacts(_ state: EuclideanCheckpoint) throws -> [String: Data] {
        let c = configuration
        guard let f = c.flow, let training = state.ensembles.last?.flow, training.steps >= f.steps else { return [:] }
        let last = training.history.last
        let saved = SavedFlow(
            kind: f.kind, dimension: c.lattice.extent.count, layers: f.layers, hidden: f.hidden, kernel: f.kernel, features: f.features,
            channels: f.channels, parameters: training.parameters,
            provenance: .init(
                version: neuralQFTVersion, lattice: c.lattice.extent, convention: c.theory.convention, given: c.givenCouplings,
                project: c.projectCouplings, seed: c.seed, batch: f.batch, steps: training.steps, seconds: training.seconds,
                schedule: training.schedule(f.phases(lattice: c.lattice.extent)), finalLoss: last?.loss, finalDivergence: last?.divergence,
                validationESS: training.lastValidationESS, initial: f.initial))
        return [SavedFlow.name: try saved.encoded()]
    }

    /// A saved flow to start from (`flow.initial`) must be readable, intact and of
    /// the config's architecture, trained on lattices no larger than the schedule's first.
    /// A run that will resume does not read it (its checkpoint holds the parameters),
    /// so a saved flow moved or removed since the run started does not stop a resume.
    public func preflightIssues(ranks: Int) -> [ConfigIssue] {
        guard let f = configuration.flow, let path = f.initial else { return [] }
        let checkpoint = URL(fileURLWithPath: configuration.output.directory).appendingPathComponent(CheckpointFile.name).path
        guard !FileManager.default.fileExists(atPath: checkpoint) else { return [] }
        let first = f.phases(lattice: configuration.lattice.extent).first?.extent ?? configuration.lattice.extent
        switch SavedFlow.load(path) {
        case .failure(let why): return [ConfigIssue(path: "flow.initial", message: "\(path) \(why)")]
        case .success(let saved):
            return saved.incompatibilities(with: f, first: first).map { ConfigIssue(path: "flow.initial", message: "\(path): \($0)") }
        }
    }

    public func outcome(_ state: EuclideanCheckpoint) throws -> RunOutcome {
        let summary = try EuclideanSummary(configuration: configuration, state: state)
        return RunOutcome(summary: summary, tables: summary.tables, report: summary.report())
    }

    public func validationNotes() -> [String] {
        let mapped = configuration.mappedTheory
        var notes = ["project convention: m2 = \(mapped.massSquared), lambda = \(mapped.coupling), phi = \(mapped.fieldScale) phi_given"]
        if let path = configuration.flow?.initial, case .success(let saved) = SavedFlow.load(path) {
            notes.append("flow.initial: trained on \(saved.provenance.lattice) at project m2 = \(saved.provenance.project["m2"] ?? .nan), lambda = \(saved.provenance.project["lambda"] ?? .nan)")
        }
        return notes
    }
}

extension EuclideanConfiguration: RunnableDescription {
    public typealias Kind = EuclideanRun
}
