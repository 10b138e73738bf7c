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

    /// The flow of an ensemble, with its initial parameters drawn from the
    /// ensemble's stream (`chains`; the chains' streams are 0..<chains).
    func flow(action: EuclideanAction, seed: UInt64) -> (flow: AffineCouplingFlow, random: RandomSource)? {
        guard let f = configuration.flow else { return nil }
        var random = RandomSource(seed: seed, stream: UInt64(configuration.sampler.chains))
        let flow = AffineCouplingFlow(lattice: action.lattice, layers: f.layers, hidden: f.hidden, kernel: f.kernel, random: &random)
        return (flow, random)
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
                guard let f = c.flow, let (template, random) = flow(action: action, seed: seed) else {
                    throw RunError.unsupported("a flow run needs a `flow` section")
                }
                ensemble.flow = EuclideanCheckpoint.FlowTraining(
                    parameters: template.parameters,
                    optimizer: Adam(learningRate: Schedule(initial: f.learningRate, final: f.learningRateFinal, steps: max(1, f.steps))),
                    random: random, steps: 0, seconds: 0, history: [])
                stages.append(
                    FlowTrainingStage(index: index, template: template, action: action, steps: f.steps, batch: f.batch, parallelism: parallelism))
                let hmc = c.sampler.hmcTrajectories > 0 ? sampler(action: action, parallelism: parallelism) : nil
                let trajectories = c.sampler.hmcTrajectories
                // The measurement's streams are a family of their own (the training draws from stream `chains`).
                let streams = seed &+ 0x9E37_79B9_7F4A_7C15
                let flops = 2 * Double(action.lattice.volume) * Double(template.parameters.count)
                @Sendable func trained(_ state: EuclideanCheckpoint) -> IndependenceMetropolis<AffineCouplingFlow> {
                    var flow = template
                    flow.parameters = state.ensembles[index].flow?.parameters ?? template.parameters
                    return IndependenceMetropolis(proposal: flow, action: action, parallelism: parallelism)
                }
                if let hmc {
                    let sampler: @Sendable (EuclideanCheckpoint) -> InterleavedFlowEnsemble<AffineCouplingFlow> = { state in
                        InterleavedFlowEnsemble(
                            sampler: InterleavedHMC(independence: trained(state), hmc: hmc, trajectories: trajectories), chains: chains,
                            seed: streams, flopsPerProposal: flops)
                    }
                    stages.append(EnsembleThermalizationStage(
                        slot: slot, sampler: sampler, rounds: c.sampler.thermalization, name: "thermalisation\(label(spacing))"))
                    stages.append(EnsembleMeasurementStage(
                        slot: slot, sampler: sampler, records: records, every: c.measurement.every, measurements: measurements,
                        name: "measurement\(label(spacing))", parallelism: parallelism))
                } else {
                    let sampler: @Sendable (EuclideanCheckpoint) -> FlowEnsemble<AffineCouplingFlow> = { state in
                        FlowEnsemble(independence: trained(state), chains: chains, seed: streams, flopsPerProposal: flops)
                    }
                    stages.append(EnsembleThermalizationStage(
                        slot: slot, sampler: sampler, rounds: c.sampler.thermalization, name: "thermalisation\(label(spacing))"))
                    stages.append(EnsembleMeasurementStage(
                        slot: slot, sampler: sampler, records: records, every: c.measurement.every, measurements: measurements,
                        name: "measurement\(label(spacing))", parallelism: parallelism))
                }
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

    public func partialTables(_ state: EuclideanCheckpoint) -> [String: CSVTable] {
        guard let history = state.ensembles.last?.flow?.history else { return [:] }
        var table = CSVTable(header: ["step", "loss", "batch_ess", "seconds"])
        for h in history { table.append([.integer(h.step), .number(h.loss), .number(h.batchESS), .number(h.seconds)]) }
        return ["training.csv": table]
    }

    public func outcome(_ state: EuclideanCheckpoint) throws -> RunOutcome {
        let summary = try EuclideanSummary(configuration: configuration, state: state)
        return RunOutcome(summary: summary, tables: summary.tables, report: summary.report())
    }

    public func validationNotes() -> [String] {
        let mapped = configuration.mappedTheory
        return ["project convention: m2 = \(mapped.massSquared), lambda = \(mapped.coupling), phi = \(mapped.fieldScale) phi_given"]
    }
}

extension EuclideanConfiguration: RunnableDescription {
    public typealias Kind = EuclideanRun
}
