import Correlators
import FourierTransform
import Foundation
import Lattice
import Measurements
import NeuralAnsatz
import Output
import Parallelism
import RunEngine
import Sampling
import SimulationConfig
import Statistics
import VMC

/// Field configurations sampled from exp(-S) (`mode: euclidean`), or the path
/// integral of the Hamiltonian theory at several temporal spacings
/// (`mode: path-integral`), as a kind of run: per ensemble a thermalisation and
/// a measurement stage on one resumable `EuclideanCheckpoint`.
public struct EuclideanRun: RunKind {
    public let configuration: EuclideanConfiguration

    public init(configuration: EuclideanConfiguration) {
        self.configuration = configuration
    }

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
    /// observables and correlators, or for a projection path its energy.
    static func measurements(action: EuclideanAction, chains: Int, records: Int) -> [any Measurements.Measurement] {
        if action.ends != nil { return [MixedEnergy(action: action, chains: chains, reservingRecords: records)] }
        let lattice = action.lattice
        let exact = action.coupling == 0 ? action.freeKernel(massSquared: action.massSquared).map { 1 / $0 } : nil
        return [
            ConfigurationObservables(action: action, chains: chains, reservingRecords: records),
            CorrelatorMeasurement(
                lattice: lattice, fft: RealFFT(extent: lattice.extent), chains: chains, reservingRecords: records,
                exact: exact, groundState: false),
            TimeSliceCorrelator(lattice: lattice, chains: chains, reservingRecords: records),
        ]
    }

    public func plan(resuming checkpoint: EuclideanCheckpoint?, parallelism: Parallelism) throws
        -> (stages: [any RunStage<EuclideanCheckpoint>], start: EuclideanCheckpoint)
    {
        if let checkpoint { try checkResume(checkpoint) }
        let c = configuration
        var stages: [any RunStage<EuclideanCheckpoint>] = []
        var ensembles: [EuclideanCheckpoint.Ensemble] = []
        let chains = c.sampler.chains, records = c.measurement.samples / chains
        for (index, spacing) in spacings.enumerated() {
            // Stream families apart per ensemble: chain c of ensemble i uses seed + i.
            let seed = c.seed &+ UInt64(index)
            let action = c.action(spacing: spacing)
            let measurements: @Sendable () -> [any Measurements.Measurement] = {
                Self.measurements(action: action, chains: chains, records: records)
            }
            var ensemble = EuclideanCheckpoint.Ensemble(spacing: spacing, thermalized: 0)
            switch c.sampler.kind {
            case .hmc:
                let hmc = sampler(action: action, parallelism: parallelism)
                ensemble.hmc = hmc.initialState(chains: chains, seed: seed)
                stages.append(ThermalizationStage(index: index, sampler: hmc, trajectories: c.sampler.thermalization, label: label(spacing)))
                stages.append(
                    MeasurementStage(
                        index: index, sampler: hmc, samples: c.measurement.samples, chains: chains, every: c.measurement.every,
                        label: label(spacing), measurements: measurements))
            case .flow:
                guard let f = c.flow else { preconditionFailure("a flow run has a flow section") }
                var random = RandomSource(seed: seed, stream: UInt64(chains))
                let flow = AffineCouplingFlow(lattice: action.lattice, layers: f.layers, hidden: f.hidden, kernel: f.kernel, random: &random)
                ensemble.flow = EuclideanCheckpoint.FlowTraining(
                    parameters: flow.parameters, optimizer: Adam(learningRate: Schedule(initial: f.learningRate, final: f.learningRateFinal, steps: max(1, f.steps))), random: random, steps: 0, seconds: 0,
                    history: [])
                stages.append(
                    FlowTrainingStage(index: index, template: flow, action: action, steps: f.steps, batch: f.batch, parallelism: parallelism))
                let interleaved = c.sampler.hmcTrajectories > 0
                    ? (sampler: sampler(action: action, parallelism: parallelism), trajectories: c.sampler.hmcTrajectories) : nil
                let sampler = FlowEnsembleSampler(
                    template: flow, action: action, chains: chains, seed: seed, thermalization: c.sampler.thermalization,
                    hmc: interleaved, parallelism: parallelism)
                stages.append(
                    MeasurementStage(
                        index: index, sampler: sampler, samples: c.measurement.samples, chains: chains, every: c.measurement.every,
                        label: label(spacing), measurements: measurements))
            }
            ensembles.append(ensemble)
        }
        return (stages, checkpoint ?? EuclideanCheckpoint(configuration: c, ensembles: ensembles))
    }

    public func checkResume(_ checkpoint: EuclideanCheckpoint) throws {
        var theirs = checkpoint.configuration, ours = configuration
        theirs.output = ours.output
        ours.output = theirs.output
        guard theirs == ours, checkpoint.ensembles.count == spacings.count else {
            throw SimulationError.checkpointMismatch("the checkpoint belongs to another run (its config differs outside `output`)")
        }
    }

    public func position(_ state: EuclideanCheckpoint) -> String {
        guard let index = state.ensembles.firstIndex(where: { $0.result == nil }) else { return "after the last measurement" }
        let e = state.ensembles[index]
        var phase = "during the measurement"
        if let flow = e.flow, flow.steps < (configuration.flow?.steps ?? 0) {
            phase = "after training step \(flow.steps)"
        } else if e.hmc != nil, e.thermalized < configuration.sampler.thermalization {
            phase = "after \(e.thermalized) thermalisation trajectories"
        }
        return phase + label(e.spacing)
    }

    public func writePartial(_ state: EuclideanCheckpoint, to directory: URL) throws {
        try AtomicFile.write(
            JSONOutput.encode(state, allowingNonFinite: true), to: directory.appendingPathComponent(RunDirectory.checkpointFile))
    }

    public func writeComplete(_ state: EuclideanCheckpoint, to directory: URL) throws -> (report: String, warnings: [String]) {
        let summary = try EuclideanSummary(configuration: configuration, state: state)
        for (file, table) in summary.tables.sorted(by: { $0.key < $1.key }) {
            try AtomicFile.write(table.text, to: directory.appendingPathComponent(file))
        }
        try writePartial(state, to: directory)
        // The summary last: its presence means the run directory is complete.
        try AtomicFile.write(JSONOutput.encode(summary), to: directory.appendingPathComponent("summary.json"))
        return (summary.report(directory: directory.path), summary.warnings)
    }
}
