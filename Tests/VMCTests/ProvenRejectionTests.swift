import Foundation
import FourierTransform
import Lattice
import NeuralAnsatz
import Sampling
import Statistics
import Testing
import TestSupport
import VMC

/// A density that evaluates every proposal: the wrapped one with its floors withheld.
struct EvaluatingEveryProposal<Wrapped: SiteLocalDensity>: SiteLocalDensity {
    let wrapped: Wrapped

    func logDensity(_ fields: FieldBatch) -> [Double] { wrapped.logDensity(fields) }
    func logDensityAndGradient(_ fields: FieldBatch) -> (values: [Double], gradient: FieldBatch) {
        wrapped.logDensityAndGradient(fields)
    }
    func siteCache(_ fields: FieldBatch) -> Wrapped.SiteCache { wrapped.siteCache(fields) }
    func proposeSiteChange(
        _ cache: inout Wrapped.SiteCache, fields: FieldBatch, site: Int, deltas: [Double], floors _: [Double]?,
        into change: inout [Double]
    ) {
        wrapped.proposeSiteChange(&cache, fields: fields, site: site, deltas: deltas, floors: nil, into: &change)
    }
    func acceptSiteChange(_ cache: inout Wrapped.SiteCache, site: Int, deltas: [Double], accepted: [Bool]) {
        wrapped.acceptSiteChange(&cache, site: site, deltas: deltas, accepted: accepted)
    }
}

/// Single-site sampling of `|psi|^2` skips the proposals the network's bound
/// proves rejected: the chains must be the ones every proposal evaluated gives,
/// to the last bit, over thermalisation (the widths adapt to the acceptances)
/// and sampling.
@Suite struct ProvenRejectionTests {
    @Test(arguments: [.none, .even, .superposition] as [NetworkSymmetry])
    func skippingLeavesTheChainsUnchanged(symmetry: NetworkSymmetry) {
        let extent = [6, 5]
        let lattice = Lattice(extent: extent)
        let net = TranslationInvariantNetwork(lattice: lattice, kernelSize: 3, hidden: [8], activation: .tanh)
        var rng = RandomSource(seed: 21)
        var model = GaussianNetwork(
            base: TailedGaussian(gaussian: GaussianAnsatz(lattice: lattice, fft: RealFFT(extent: extent)), coupling: 24),
            network: net, networkParameters: net.cell.initialParameters(random: &rng, outputScale: 1), symmetry: symmetry)
        if symmetry == .superposition { model.shift = 0.3 }
        let settings = MetropolisSettings(chains: 16, sweep: lattice.volume)
        let skipping = SingleSiteSampler<BornDensity<GaussianNetwork<TailedGaussian, TranslationInvariantNetwork>>>(settings)
        let evaluating = SingleSiteSampler<EvaluatingEveryProposal<BornDensity<GaussianNetwork<TailedGaussian, TranslationInvariantNetwork>>>>(settings)
        let density = BornDensity(model)
        var a = skipping.initialState(sites: lattice.volume, seed: 5)
        var b = evaluating.initialState(sites: lattice.volume, seed: 5)
        skipping.refresh(&a, density: density)
        evaluating.refresh(&b, density: EvaluatingEveryProposal(wrapped: density))
        try? skipping.thermalize(&a, density: density, sweeps: 20)
        try? evaluating.thermalize(&b, density: EvaluatingEveryProposal(wrapped: density), sweeps: 20)
        var recordedA: [FieldBatch] = [], recordedB: [FieldBatch] = []
        skipping.sample(&a, density: density, sweeps: 10) { fields, _ in recordedA.append(fields) }
        evaluating.sample(&b, density: EvaluatingEveryProposal(wrapped: density), sweeps: 10) { fields, _ in recordedB.append(fields) }
        #expect(recordedA.count == 10 && recordedA == recordedB)
        #expect(a.fields == b.fields && a.logDensity == b.logDensity && a.stepSize == b.stepSize)
        #expect((a.accepted, a.proposed) == (b.accepted, b.proposed))
        #expect(a.acceptance > 0.2 && a.acceptance < 0.8)
        // And proposals were skipped: a sweep's worth at the adapted widths.
        var cache = density.siteCache(a.fields)
        var (change, skipped) = ([Double](repeating: 0, count: 16), 0)
        for site in 0..<lattice.volume {
            let deltas = a.stepSize.map { $0 * rng.normal() }
            let floors = (0..<16).map { _ in log(1 - rng.uniform()) }
            density.proposeSiteChange(&cache, fields: a.fields, site: site, deltas: deltas, floors: floors, into: &change)
            skipped += change.filter { $0 == -.infinity }.count
        }
        #expect(skipped > 16 * lattice.volume / 5, "\(skipped) of \(16 * lattice.volume) skipped")
    }
}
