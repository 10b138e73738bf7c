import Execution
import Lattice

/// A Markov chain Monte Carlo sampler of a density over lattice fields: an
/// immutable configuration (this value) and the chains' evolving `State`, kept
/// apart so the state can be checkpointed and resumed exactly (NetKet's
/// sampler/sampler-state split).
///
/// The contract: `thermalize` may adapt the sampler's free parameters (proposal
/// widths) and moves toward equilibrium; `sample` keeps them fixed, so recorded
/// samples obey detailed balance; both are deterministic functions of the
/// state (every random stream lives in it).
public protocol Sampler<Density>: Sendable {
    associatedtype Density: LogDensity
    associatedtype State: ChainState

    /// Number of independent chains.
    var chains: Int { get }

    /// Chains started from `seed`; `refresh` must be called before sampling.
    func initialState(sites: Int, seed: UInt64) -> State

    /// Recomputes what the chains keep of `density` (after it changed).
    func refresh(_ state: inout State, density: Density)

    /// Runs `sweeps` sweeps without recording, adapting; `stop` is polled
    /// between blocks of sweeps (and throws `Interrupted`).
    func thermalize(_ state: inout State, density: Density, sweeps: Int, stop: StopCheck) throws

    /// Runs `sweeps` sweeps at fixed settings, calling `record` with the chains'
    /// fields (`chains x V`) and log densities after each.
    func sample(
        _ state: inout State, density: Density, sweeps: Int, record: (FieldBatch, [Double]) throws -> Void
    ) rethrows
}

/// What every sampler's state tells: the chains' fields and the acceptance.
public protocol ChainState: Sendable, Codable, Equatable {
    /// Current field of each chain, `chains x V`.
    var fields: FieldBatch { get }
    /// Fraction of proposals accepted since the counters were last reset.
    var acceptance: Double { get }
    mutating func resetCounters()
}
