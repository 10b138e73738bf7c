import FourierTransform
import Lattice
import LinearAlgebra
import NeuralAnsatz
import Statistics
import Testing
import TestSupport

/// Single-site changes from the caches against differences of full evaluations,
/// before and after a series of accepted and rejected moves.
@Suite struct SiteLocalWavefunctionTests {
    func check<M: SiteLocalWavefunction>(_ model: M, sites: Int) {
        var fields = testFields(samples: 5, sites: sites, seed: 4, scale: 1.3)
        var cache = model.siteCache(fields)
        var rng = RandomSource(seed: 12)
        for move in 0..<(3 * sites) {
            let site = (move * 7) % sites
            let deltas = (0..<5).map { _ in 0.8 * rng.normal() }
            // Added to what is there: start from an offset that must survive.
            var change = [Double](repeating: 0.25, count: 5)
            model.proposeSiteChange(&cache, fields: fields, site: site, deltas: deltas, adding: &change)
            change = change.map { $0 - 0.25 }
            var moved = fields
            for c in 0..<5 { moved[c, site] += deltas[c] }
            let before = model.logPsi(fields), after = model.logPsi(moved)
            for c in 0..<5 {
                // Differences of O(1..10) values: absolute rounding ~1e-14 per evaluation.
                #expect(abs(change[c] - (after[c] - before[c])) < 1e-12 * max(1, abs(before[c])), "move \(move), chain \(c)")
            }
            let accepted = (0..<5).map { ($0 + move) % 3 != 0 }
            model.acceptSiteChange(&cache, site: site, deltas: deltas, accepted: accepted)
            for c in 0..<5 where accepted[c] { fields[c, site] += deltas[c] }
        }
    }

    @Test(arguments: [[7], [3, 4], [2, 3, 2]])
    func gaussianChangesMatchFullEvaluations(extent: [Int]) {
        var g = GaussianAnsatz(lattice: Lattice(extent: extent), fft: RealFFT(extent: extent))
        var rng = RandomSource(seed: 2)
        g.parameters = g.parameters.map { _ in 0.4 * rng.normal() }
        check(g, sites: g.lattice.volume)
    }

    func tailedGaussian(_ lattice: Lattice, _ rng: inout RandomSource) -> TailedGaussian {
        var base = TailedGaussian(gaussian: GaussianAnsatz(lattice: lattice, fft: RealFFT(extent: lattice.extent)), coupling: 24)
        base.parameters = base.parameters.map { $0 + 0.3 * rng.normal() }
        return base
    }

    @Test(arguments: [.none, .even, .superposition] as [NetworkSymmetry])
    func networkChangesMatchFullEvaluations(symmetry: NetworkSymmetry) {
        let lattice = Lattice(extent: [3, 3])
        let net = MultilayerPerceptron(inputs: 9, hidden: [6, 4], activation: .silu)
        var rng = RandomSource(seed: 8)
        var model = GaussianNetwork(
            base: tailedGaussian(lattice, &rng), network: net,
            networkParameters: net.initialParameters(random: &rng, outputScale: 1), symmetry: symmetry)
        if symmetry == .superposition { model.shift = 0.7 }
        check(model, sites: 9)
    }

    /// The convolutional network: a site is in K patches, each updated on its own
    /// (one hidden layer: the fused C loop; two: the general forward pass).
    @Test(arguments: [
        ([7], .none, [5, 3]), ([4, 3], .even, [5, 3]), ([3, 2, 3], .even, [5, 3]), ([5, 2], .superposition, [5, 3]),
        ([7], .none, [6]), ([3, 4], .superposition, [6]),
    ] as [([Int], NetworkSymmetry, [Int])])
    func translationInvariantChangesMatchFullEvaluations(extent: [Int], symmetry: NetworkSymmetry, hidden: [Int]) {
        let lattice = Lattice(extent: extent)
        let net = TranslationInvariantNetwork(lattice: lattice, kernelSize: 2, hidden: hidden, activation: .tanh)
        var rng = RandomSource(seed: 9)
        var model = GaussianNetwork(
            base: tailedGaussian(lattice, &rng), network: net,
            networkParameters: net.cell.initialParameters(random: &rng, outputScale: 1), symmetry: symmetry)
        if symmetry == .superposition { model.shift = -0.5 }
        check(model, sites: lattice.volume)
    }
}
