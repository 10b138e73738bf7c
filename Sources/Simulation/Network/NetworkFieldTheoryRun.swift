import Foundation
import Lattice
import NetworkFieldTheory
import Output
import Parallelism
import RunEngine
import Sampling
import SimulationConfig

/// Neural-network field theory (`mode: nnft`) as a kind of run: per width an
/// ensemble of independent random networks (streamed in batches; correlators
/// against the exact kernels), or for a phi^4 network a deformed ensemble
/// (thermalisation and measurement of its Markov chains), then the phi^4 run's
/// HMC reference on the same lattice and couplings.
public struct NetworkFieldTheoryRun: RunKind {
    public let configuration: NetworkConfiguration

    public init(configuration: NetworkConfiguration) {
        self.configuration = configuration
    }

    /// The inputs the config describes.
    var inputs: NetworkInputs {
        let l = configuration.lattice
        if let points = l.points { return NetworkInputs(points: points, dimension: points.first?.count ?? 1) }
        return NetworkInputs(lattice: Lattice(extent: l.extent ?? [1]), spacing: l.spacing ?? 1)
    }

    /// The prior of the networks of width `width`.
    func prior(width: Int) -> any NetworkPrior {
        let c = configuration
        if let theory = c.theory {
            return FreeFieldNetworkPrior(lattice: Lattice(extent: c.lattice.extent ?? [1]), massSquared: theory.m2, width: width)
        }
        return StandardNetworkPrior(
            activation: c.network.activation, width: width, inputs: inputs, sigmaW: c.network.sigmaW ?? 1, sigmaB: c.network.sigmaB ?? 0)
    }

    /// The four-point index sets: the config's, and M = sum phi (index P) for a translation-invariant lattice.
    var quadruples: [[Int]] {
        let p = configuration.pointCount
        return configuration.ensemble.fourPoint + (configuration.theory != nil ? [[p, p, p, p]] : [])
    }

    /// The phi^4 action on the lattice (phi^4 networks).
    var action: EuclideanAction? {
        guard let theory = configuration.theory, let extent = configuration.lattice.extent else { return nil }
        return EuclideanAction(lattice: Lattice(extent: extent), massSquared: theory.m2, coupling: theory.lambda)
    }

    func ensemble(_ index: Int) -> NetworkEnsemble {
        let c = configuration
        return NetworkEnsemble(
            prior: prior(width: c.network.widths[index]), networks: c.ensemble.networks, batch: c.ensemble.batch ?? 1024,
            seed: c.seed &+ UInt64(index), quadruples: quadruples, translationInvariant: c.theory != nil)
    }

    func deformed(_ index: Int) -> DeformedNetworkChains {
        DeformedNetworkChains(prior: prior(width: configuration.network.widths[index]), coupling: configuration.theory?.lambda ?? 0)
    }

    func hmc(parallelism: Parallelism) -> HybridMonteCarlo? {
        guard let action else { return nil }
        return HybridMonteCarlo(action: action, integrator: .omelyan, trajectoryLength: 1, jitter: 0.2, parallelism: parallelism)
    }

    public func plan(resuming checkpoint: NetworkCheckpoint?, parallelism: Parallelism)
        -> (stages: [any RunStage<NetworkCheckpoint>], start: NetworkCheckpoint)
    {
        let c = configuration
        var stages: [any RunStage<NetworkCheckpoint>] = []
        var ensembles: [NetworkCheckpoint.Ensemble] = []
        for (index, width) in c.network.widths.enumerated() {
            var e = NetworkCheckpoint.Ensemble(width: width)
            if c.isInteracting, let action {
                let chains = deformed(index)
                e.chains = chains.initialChains(c.ensemble.chains ?? 16, seed: c.seed &+ UInt64(index))
                stages.append(DeformedThermalizationStage(index: index, chains: chains, sweeps: c.ensemble.thermalization ?? 0, parallelism: parallelism))
                stages.append(
                    DeformedMeasurementStage(
                        index: index, chains: chains, action: action, samples: c.ensemble.networks, every: c.ensemble.every ?? 1,
                        parallelism: parallelism))
            } else {
                stages.append(NetworkEnsembleStage(index: index, ensemble: ensemble(index), parallelism: parallelism))
            }
            ensembles.append(e)
        }
        var reference: NetworkCheckpoint.Reference?
        if let r = c.reference, r.samples > 0, let hmc = hmc(parallelism: parallelism) {
            // The reference's streams are a family apart from every width's.
            reference = NetworkCheckpoint.Reference(hmc: hmc.initialState(chains: r.chains, seed: c.seed &+ 0x5851_F42D_4C95_7F2D))
            stages.append(HMCReferenceStage(sampler: hmc, thermalization: r.thermalization, samples: r.samples))
        }
        return (stages, checkpoint ?? NetworkCheckpoint(configuration: c, ensembles: ensembles, reference: reference))
    }

    public func checkResume(_ checkpoint: NetworkCheckpoint) throws {
        var theirs = checkpoint.configuration
        theirs.output = configuration.output
        guard theirs == configuration, checkpoint.ensembles.count == configuration.network.widths.count else {
            throw SimulationError.checkpointMismatch("the checkpoint belongs to another run (its config differs outside `output`)")
        }
    }

    public func position(_ state: NetworkCheckpoint) -> String {
        let c = configuration
        let pending = state.ensembles.first { c.isInteracting ? $0.measured == nil : ($0.moments?.networks ?? 0) < c.ensemble.networks }
        guard let e = pending else { return "during the HMC reference" }
        guard c.isInteracting else { return "after \(e.moments?.networks ?? 0) networks at N = \(e.width)" }
        return e.thermalized < (c.ensemble.thermalization ?? 0)
            ? "after \(e.thermalized) thermalisation sweeps at N = \(e.width)" : "during the measurement at N = \(e.width)"
    }

    public func writePartial(_ state: NetworkCheckpoint, to directory: URL) throws {
        try AtomicFile.write(
            JSONOutput.encode(state, allowingNonFinite: true), to: directory.appendingPathComponent(RunDirectory.checkpointFile))
    }

    public func writeComplete(_ state: NetworkCheckpoint, to directory: URL) throws -> (report: String, warnings: [String]) {
        let summary = NetworkSummary(run: self, state: state)
        for (file, table) in summary.tables.sorted(by: { $0.key < $1.key }) {
            try AtomicFile.write(table.text, to: directory.appendingPathComponent(file))
        }
        try writePartial(state, to: directory)
        // The summary last: its presence means the run directory is complete.
        try AtomicFile.write(JSONOutput.encode(summary), to: directory.appendingPathComponent("summary.json"))
        return (summary.report(directory: directory.path), summary.warnings)
    }
}
