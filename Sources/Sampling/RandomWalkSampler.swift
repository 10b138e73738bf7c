/// Random-walk Metropolis moving every site at once (Metropolis et al., J. Chem.
/// Phys. 21 (1953) 1087): `phi' = phi + sigma xi`. In V dimensions the acceptance
/// scales with `sigma^2 V`, so the width starts at `1/sqrt(V)`.
public struct RandomWalkSampler<Density: LogDensity>: MetropolisHastings {
    public let settings: MetropolisSettings

    public init(_ settings: MetropolisSettings) { self.settings = settings }

    public var keepsGradient: Bool { false }

    public func initialStepSize(sites: Int) -> Double { 1 / Double(sites).squareRoot() }

    public func runSweep(_ state: inout SamplerState, density: Density) -> [Int] {
        allSiteSweep(&state, density: density, langevin: false)
    }
}
