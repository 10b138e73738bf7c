import Lattice

/// An unnormalised log probability density over lattice fields, evaluated on a
/// batch: `|psi|^2` for variational Monte Carlo, `exp(-S)` for the path integral.
public protocol LogDensity: Sendable {
    /// `log p(phi_b)` up to a field-independent constant, one per field.
    func logDensity(_ fields: FieldBatch) -> [Double]

    /// `log p(phi_b)` and its gradient `d log p / d phi_x` (`B x V`), for
    /// gradient-guided proposals (MALA).
    func logDensityAndGradient(_ fields: FieldBatch) -> (values: [Double], gradient: FieldBatch)
}

/// A density whose change under a move of one site is cheap to evaluate, for
/// single-site proposals (`SingleSiteSampler`). A cache
/// holds what the updates need for each chain; a proposal stays in it until
/// `acceptSiteChange`.
public protocol SiteLocalDensity: LogDensity {
    associatedtype SiteCache

    /// The cache for the chains' `fields` (`C x V`).
    func siteCache(_ fields: FieldBatch) -> SiteCache

    /// `log p(phi_c + delta_c e_site) - log p(phi_c)` into `change[c]` for each
    /// chain `c` (an array the caller keeps: the proposal allocates nothing).
    /// With `floors` (the Metropolis test's `log u`, which rejects a change at
    /// most the floor), a density that proves a chain's change at most its
    /// floor without evaluating it may write `-infinity` instead; that proposal
    /// is not kept, and the chain must not be accepted.
    func proposeSiteChange(
        _ cache: inout SiteCache, fields: FieldBatch, site: Int, deltas: [Double], floors: [Double]?,
        into change: inout [Double])

    /// Makes the last proposal current for the chains `c` with `accepted[c]`.
    func acceptSiteChange(_ cache: inout SiteCache, site: Int, deltas: [Double], accepted: [Bool])
}

extension SiteLocalDensity {
    /// Every chain's change, evaluated.
    public func proposeSiteChange(
        _ cache: inout SiteCache, fields: FieldBatch, site: Int, deltas: [Double], into change: inout [Double]
    ) {
        proposeSiteChange(&cache, fields: fields, site: site, deltas: deltas, floors: nil, into: &change)
    }
}
