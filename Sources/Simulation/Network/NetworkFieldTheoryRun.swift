import Correlators
import FourierTransform
import Foundation
import Lattice
import Measurements
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
public struct NetworkFieldTheoryRun: RunnableKind {
    public let configuration: NetworkConfiguration

    public init(configuration: NetworkConfiguration) {
        self.configuration = configuration
    }

    public static let files = ["correlator_pairs.csv", "four_point.csv", "correlator_k.csv", "correlator_r.csv", "observables.csv"]

    /// The inputs the config describes.
    var inputs: NetworkInputs { NetworkInputs(configuration: configuration) }

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

    /// The observables of a phi^4 network ensemble and of its HMC reference: the
    /// Euclidean run's configuration observables and G(k), G(r).
    static func measurements(action: EuclideanAction, chains: Int) -> MeasurementSet {
        MeasurementSet([
            ConfigurationObservables(action: action),
            CorrelatorMeasurement(lattice: action.lattice, fft: RealFFT(extent: action.lattice.extent), exact: nil, groundState: false),
        ], chains: chains)
    }

    /// The reference's HMC: its streams are a family apart from every width's.
    func reference(parallelism: Parallelism) -> HMCEnsemble? {
        guard let action, let r = configuration.reference, r.samples > 0 else { return nil }
        let hmc = HybridMonteCarlo(action: action, integrator: .omelyan, trajectoryLength: 1, jitter: 0.2, parallelism: parallelism)
        return HMCEnsemble(hmc: hmc, chains: r.chains, seed: configuration.seed &+ 0x5851_F42D_4C95_7F2D)
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
                let chains = c.ensemble.chains ?? 16
                let sampler = DeformedNetworkEnsemble(
                    chains: DeformedNetworkChains(prior: prior(width: width), coupling: c.theory?.lambda ?? 0), count: chains,
                    seed: c.seed &+ UInt64(index), parallelism: parallelism)
                e.deformed = EnsembleProgress()
                stages.append(EnsembleThermalizationStage(
                    slot: .index(index), sampler: { _ in sampler }, rounds: c.ensemble.thermalization ?? 0,
                    name: "thermalisation (N = \(width))"))
                stages.append(EnsembleMeasurementStage(
                    slot: .index(index), sampler: { _ in sampler }, records: c.ensemble.networks / chains, every: c.ensemble.every ?? 1,
                    measurements: Self.measurements(action: action, chains: chains), name: "measurement (N = \(width))",
                    parallelism: parallelism))
            } else {
                stages.append(NetworkEnsembleStage(index: index, ensemble: ensemble(index), parallelism: parallelism))
            }
            ensembles.append(e)
        }
        var reference: EnsembleProgress?
        if let hmc = self.reference(parallelism: parallelism), let r = c.reference, let action {
            reference = EnsembleProgress()
            stages.append(EnsembleThermalizationStage(
                slot: .reference, sampler: { _ in hmc }, rounds: r.thermalization, name: "HMC reference thermalisation"))
            stages.append(EnsembleMeasurementStage(
                slot: .reference, sampler: { _ in hmc }, records: r.samples / r.chains, every: 1,
                measurements: Self.measurements(action: action, chains: r.chains), name: "HMC reference", parallelism: parallelism))
        }
        return (stages, checkpoint ?? NetworkCheckpoint(configuration: c, ensembles: ensembles, reference: reference))
    }

    public func position(_ state: NetworkCheckpoint) -> String {
        let c = configuration
        let pending = state.ensembles.first { c.isInteracting ? $0.deformed?.result == nil : ($0.moments?.networks ?? 0) < c.ensemble.networks }
        guard let e = pending else { return "during the HMC reference" }
        guard c.isInteracting, let d = e.deformed else { return "after \(e.moments?.networks ?? 0) networks at N = \(e.width)" }
        return d.thermalized < (c.ensemble.thermalization ?? 0)
            ? "after \(d.thermalized) thermalisation sweeps at N = \(e.width)"
            : "after \(d.recorded) measured configurations per chain at N = \(e.width)"
    }

    public func outcome(_ state: NetworkCheckpoint) throws -> RunOutcome {
        let summary = NetworkSummary(run: self, state: state)
        return RunOutcome(summary: summary, tables: summary.tables, report: summary.report())
    }
}

extension NetworkConfiguration: RunnableDescription {
    public typealias Kind = NetworkFieldTheoryRun
}
