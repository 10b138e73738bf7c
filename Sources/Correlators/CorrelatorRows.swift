import Statistics

/// One momentum of the equal-time correlator (a row of correlator_k.csv).
public struct MomentumCorrelatorRow: Sendable, Codable {
    /// Signed mode numbers `n_mu` in `(-L_mu/2, L_mu/2]`.
    public var modeNumbers: [Int]
    /// `k_mu = 2 pi n_mu / L_mu` in `(-pi, pi]`.
    public var momentum: [Double]
    /// `khat^2 = sum_mu 4 sin^2(k_mu/2)`.
    public var latticeMomentumSquared: Double
    /// `G(k) = <|phitilde_k|^2> / V`.
    public var correlator: Estimate
    /// `G_c(k) = G(k) - V <phibar>^2 delta_{k,0}`.
    public var connected: Estimate
    /// `omega_gauss(k) = 1 / (2 G_c(k))`, error propagated linearly (ground states only).
    public var gaussianFrequency: Estimate?
    /// The exact `G(k)` when the theory is free.
    public var free: Double?
}

/// One separation of the real-space correlator (a row of correlator_r.csv).
public struct PositionCorrelatorRow: Sendable, Codable {
    /// Signed separation `r_mu` in `(-L_mu/2, L_mu/2]`.
    public var separation: [Int]
    /// `G(r) = (1/V) sum_x <phi_x phi_{x+r}>`.
    public var correlator: Estimate
    /// The free-theory value when the theory is free.
    public var free: Double?
}

/// Measured correlators in momentum and position space.
public struct CorrelatorResult: Sendable, Codable {
    public var momentum: [MomentumCorrelatorRow]
    public var position: [PositionCorrelatorRow]
}
