import Yams

extension GroundStateConfiguration.SamplerSection {
    /// `sampler`: kind (default `auto`: single-site proposals where the ansatz has
    /// them, O(V) per sweep instead of O(V^2)), chains, thermalisation, sweep
    /// (default V), discard, target acceptance.
    static func read(_ node: Node?, lattice: GroundStateConfiguration.LatticeSection?, _ r: ConfigReader) -> Self {
        let sampler = r.mapping(
            node, path: "sampler", allowed: ["kind", "chains", "thermalization", "sweep", "discard", "target_acceptance"]) ?? [:]
        let volume = lattice?.extent.reduce(1, *) ?? 1
        // Below 5% the chains barely move (the widths shrink toward 0 and the
        // samples are the starting fields); above 95% they crawl.
        return Self(
            kind: r.choice(sampler["kind"], path: "sampler.kind", as: SamplerKind.self) ?? .auto,
            chains: r.integer(sampler["chains"], path: "sampler.chains", in: 1...65536) ?? 32,
            thermalization: r.integer(sampler["thermalization"], path: "sampler.thermalization", in: 0...1_000_000) ?? 100,
            sweep: r.integer(sampler["sweep"], path: "sampler.sweep", in: 1...1_000_000) ?? volume,
            discard: r.integer(sampler["discard"], path: "sampler.discard", in: 0...1_000_000) ?? 2,
            targetAcceptance: r.number(
                sampler["target_acceptance"], path: "sampler.target_acceptance", where: { $0 >= 0.05 && $0 <= 0.95 },
                "from 0.05 to 0.95") ?? 0.5)
    }
}
