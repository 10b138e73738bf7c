import Execution
import Lattice
import Statistics

/// Independence Metropolis with `trajectories` HMC trajectories per chain after
/// every proposal round. Both kernels leave exp(-S) invariant, so their product
/// does (the composition suggested by Albergo, Kanwar and Shanahan, arXiv:1904.12072).
/// Where the flow's weights are heavy-tailed, a chain that drew a rare
/// high-weight field rejects proposals for a long stretch; HMC moves it on, and
/// the Gamma-method errors see the autocorrelation they would otherwise miss
/// (measured at L = 10 on the flow papers' line: BENCHMARKS.md, run 10).
///
/// After HMC moves a chain its weight `-S - log q` is recomputed with the
/// inverse flow, so a round costs about two flow passes.
public struct InterleavedHMC<Proposal: IndependentProposal>: Sendable {
    public var independence: IndependenceMetropolis<Proposal>
    public var hmc: HybridMonteCarlo
    public var trajectories: Int

    public init(independence: IndependenceMetropolis<Proposal>, hmc: HybridMonteCarlo, trajectories: Int) {
        precondition(trajectories >= 1)
        self.independence = independence
        self.hmc = hmc
        self.trajectories = trajectories
    }

    /// The flow's chains and HMC's (its own random streams and step size) on the same fields.
    public struct State: Sendable {
        public var chains: IndependenceState
        public var hmc: HMCState

        public init(chains: IndependenceState, hmc: HMCState) {
            self.chains = chains
            self.hmc = hmc
        }
    }

    /// Chains started from one proposal each; HMC streams are a family apart from the flow's.
    public func initialState(chains: Int, seed: UInt64) -> State {
        let start = independence.initialState(chains: chains, seed: seed)
        var h = hmc.initialState(chains: chains, seed: seed &+ 0x2545_F491_4F6C_DD1D)
        h.fields = start.fields
        return State(chains: start, hmc: h)
    }

    /// HMC's step size tuned over `rounds x trajectories` trajectories, then
    /// `rounds` interleaved rounds, unrecorded.
    public func thermalize(_ state: inout State, rounds: Int, stop: StopCheck) throws {
        state.hmc.fields = state.chains.fields
        try hmc.thermalize(&state.hmc, trajectories: rounds * trajectories, stop: stop)
        state.chains.fields = state.hmc.fields
        independence.reweigh(&state.chains)
        try sample(&state, rounds: rounds, stop: stop) { _ in }
    }

    /// `rounds` rounds, calling `record` with every chain's field after every `every`-th.
    public func sample(
        _ state: inout State, rounds: Int, every: Int = 1, stop: StopCheck, record: (FieldBatch) throws -> Void
    ) throws {
        var h = state.hmc
        try independence.sample(&state.chains, rounds: rounds, every: every, stop: stop, refresh: { chains in
            h.fields = chains.fields
            try hmc.advance(&h, trajectories: trajectories, stop: stop)
            chains.fields = h.fields
            independence.reweigh(&chains)
        }, record: record)
        state.hmc = h
    }
}
