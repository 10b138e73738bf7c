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

    /// The cache is rebuilt at the start of the sweep, so rounding cannot
    /// accumulate across sweeps; the chains' `log p` is re-evaluated in full at the end.
    public func runSweep(_ state: inout SamplerState, density: Density) -> [Int] {
        let v = state.fields.siteCount, chains = state.chains
        var cache = density.siteCache(state.fields)
        var accepted = [Int](repeating: 0, count: chains)
        var deltas = [Double](repeating: 0, count: chains)
        var moved = [Bool](repeating: false, count: chains)
        for _ in 0..<settings.sweep {
            let site = state.siteCursor ?? 0
            state.siteCursor = (site + 1) % v
            for c in 0..<chains { deltas[c] = state.stepSize[c] * state.random[c].normal() }
            let change = density.proposeSiteChange(&cache, fields: state.fields, site: site, deltas: deltas)
            for c in 0..<chains { moved[c] = accepts(change[c], &state.random[c]) }
            density.acceptSiteChange(&cache, site: site, deltas: deltas, accepted: moved)
            for c in 0..<chains where moved[c] {
                accepted[c] += 1
                state.fields[c, site] += deltas[c]
            }
        }
        state.logDensity = density.logDensity(state.fields)
        state.accepted += accepted.reduce(0, +)
        state.proposed += chains * settings.sweep
        return accepted
    }
}
