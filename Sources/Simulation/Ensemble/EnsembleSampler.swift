import Execution
import Lattice
import Measurements
import Sampling

/// A Markov-chain sampler of field configurations as the run's stages drive
/// it — HMC of exp(-S), a flow's independence Metropolis (with or without HMC
/// between proposal rounds), a deformed network ensemble's neuron redraws —
/// the one vocabulary of thermalisation and measurement units they share
/// (`EnsembleThermalizationStage`, `EnsembleMeasurementStage`). A new sampler is
/// one conforming type (and its chains' case in `EnsembleChains`).
protocol EnsembleSampler: Sendable {
    associatedtype Chains: Sendable

    /// Fresh chains (drawn once the sampler can draw: a flow after its training).
    func initialChains() -> Chains

    /// How chains are kept in a checkpoint, and back (nil: another sampler's).
    func store(_ chains: Chains) -> EnsembleChains
    func load(_ stored: EnsembleChains) -> Chains?

    /// `rounds` rounds (trajectories, proposal rounds or sweeps) without recording,
    /// adapting whatever the sampler tunes, after `done` rounds of thermalisation;
    /// `stop` polled inside.
    func thermalize(_ chains: inout Chains, rounds: Int, after done: Int, stop: StopCheck) throws

    /// The thermalisation rounds of the next unit, `done` of `total` done
    /// (default: a second's work, `roundsPerUnit`).
    func thermalizationUnit(_ chains: Chains, done: Int, total: Int) -> Int

    /// `records x every` rounds at fixed settings, `record` after every `every`-th
    /// with every chain's field (`chains x V`); `stop` polled inside.
    func sample(_ chains: inout Chains, records: Int, every: Int, stop: StopCheck, record: (FieldBatch) throws -> Void) throws

    /// Rounds in a unit of about a second of work on the chains as they are
    /// (HMC's cost per trajectory depends on its tuned step size).
    func roundsPerUnit(_ chains: Chains) -> Int

    func resetCounters(_ chains: inout Chains)

    /// What the summary reports about the sampler, with its name.
    func diagnostics(_ chains: Chains) -> SamplerDiagnostics
}

/// What a run reports about how its configurations were sampled: the sampler
/// by name (never inferred) and its own quality numbers.
public struct SamplerDiagnostics: Codable, Sendable, Equatable {
    /// `hmc`, `flow`, `flow+hmc`, `deformed-network`.
    public var kind: String
    /// The Metropolis acceptance of the measurement (HMC: of its trajectories;
    /// a flow: of its proposals; a network: of its neuron redraws).
    public var acceptance: Double
    /// HMC: the step size, steps per trajectory, `<exp(-dH)>` (1 in equilibrium).
    public var stepSize: Double?
    public var stepsPerTrajectory: Int?
    public var expMinusDeltaH: Double?
    /// A flow: the importance weights' ESS per proposal pooled over every
    /// proposal of the measurement, and the number of proposals.
    public var pooledESS: Double?
    public var proposals: Int?
    /// A flow with HMC between its proposal rounds: the trajectories' acceptance
    /// (the step size and `<exp(-dH)>` above are theirs).
    public var hmcAcceptance: Double?

    public init(kind: String, acceptance: Double) {
        self.kind = kind
        self.acceptance = acceptance
    }

    /// The acceptance below which a run's samples are not trusted, for every
    /// kind of run and sampler: the chains barely move.
    public static let minimumAcceptance = 0.05
}

extension EnsembleSampler {
    func thermalizationUnit(_ chains: Chains, done: Int, total: Int) -> Int { min(total - done, roundsPerUnit(chains)) }
}
