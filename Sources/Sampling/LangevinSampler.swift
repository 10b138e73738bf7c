/// The Metropolis-adjusted Langevin algorithm, MALA (Roberts and Tweedie,
/// Bernoulli 2 (1996) 341), moving every site at once:
/// `phi' = phi + (sigma^2/2) grad log p(phi) + sigma xi`. The proposals follow
/// the density's slope, so in V dimensions they need far fewer steps than a
/// random walk (acceptance scales with `sigma^2 V^{1/3}` instead of `sigma^2 V`).
public struct LangevinSampler<Density: LogDensity>: MetropolisHastings {
    public let settings: MetropolisSettings

    public init(_ settings: MetropolisSettings) { self.settings = settings }

    public var keepsGradient: Bool { true }

    public func initialStepSize(sites: Int) -> Double { 1 / Double(sites).squareRoot() }

    public func runSweep(_ state: inout SamplerState, density: Density) -> [Int] {
        allSiteSweep(&state, density: density, langevin: true)
    }
}
