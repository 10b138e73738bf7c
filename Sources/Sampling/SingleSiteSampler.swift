/// Random-walk Metropolis moving one site per proposal, `phi'_x = phi_x + sigma xi`,
/// the sites taken in order and continuing across sweeps (a sweep shorter than V
/// must not revisit the first sites only). The density's change comes from its
/// cache (`SiteLocalDensity`): for a dense network O(V + H) per proposal instead
/// of O(V H), so a sweep of V proposals costs about one all-site proposal.
/// Only densities that support it can be sampled: the constraint is the type's.
public struct SingleSiteSampler<Density: SiteLocalDensity>: MetropolisHastings {
    public let settings: MetropolisSettings

    public init(_ settings: MetropolisSettings) { self.settings = settings }

    public var keepsGradient: Bool { false }

    public func initialStepSize(sites: Int) -> Double { 1 }

    public func runSweep(_ state: inout SamplerState, density: Density) -> [Int] {
        var accepted: [Int] = []
        runSweeps(&state, density: density, count: 1) { accepted = $1 }
        return accepted
    }

    /// The cache is made once for all `count` sweeps (a full evaluation costs
    /// about as much as a sweep of proposals). Between sweeps the chains' `log p`
    /// is carried from its value at the start by the accepted changes; at the end
    /// it is re-evaluated in full, so the cache's rounding (relative 1e-16 per
    /// update) never outlives the call.
    public func runSweeps(
        _ state: inout SamplerState, density: Density, count: Int, afterSweep: (inout SamplerState, [Int]) -> Void
    ) {
        let v = state.fields.siteCount, chains = state.chains
        var cache = density.siteCache(state.fields)
        var deltas = [Double](repeating: 0, count: chains)
        var moved = [Bool](repeating: false, count: chains)
        var change = [Double](repeating: 0, count: chains)
        var floors = [Double](repeating: 0, count: chains)
        for _ in 0..<count {
            var accepted = [Int](repeating: 0, count: chains)
            for _ in 0..<settings.sweep {
                let site = state.siteCursor ?? 0
                state.siteCursor = (site + 1) % v
                // Each chain's uniform is drawn before its change is evaluated
                // (its stream's order, step then uniform, is as before), so the
                // density may skip the changes it proves rejected.
                for c in 0..<chains {
                    deltas[c] = state.stepSize[c] * state.random[c].normal()
                    floors[c] = acceptanceFloor(&state.random[c])
                }
                density.proposeSiteChange(&cache, fields: state.fields, site: site, deltas: deltas, floors: floors, into: &change)
                for c in 0..<chains { moved[c] = floors[c] < change[c] }
                density.acceptSiteChange(&cache, site: site, deltas: deltas, accepted: moved)
                for c in 0..<chains where moved[c] {
                    accepted[c] += 1
                    state.fields[c, site] += deltas[c]
                    state.logDensity[c] += change[c]
                }
            }
            state.accepted += accepted.reduce(0, +)
            state.proposed += chains * settings.sweep
            afterSweep(&state, accepted)
        }
        state.logDensity = density.logDensity(state.fields)
    }
}
