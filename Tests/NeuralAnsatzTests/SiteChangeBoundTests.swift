import Foundation
import FourierTransform
import Lattice
import LinearAlgebra
import NeuralAnsatz
import Statistics
import Testing
import TestSupport

/// The single-site bound that lets a proposal be rejected unevaluated: an upper
/// bound on the change as evaluated, tight to first order, and the floors path
/// of the models, which must skip only proposals the Metropolis test rejects
/// and leave every other change bit for bit as evaluated.
@Suite struct SiteChangeBoundTests {
    /// tanh's `sup |sigma''|` against a fine grid (the bound's remainder term rests on it).
    @Test func boundedCurvatureIsTanhsLargestSecondDerivative() throws {
        let bound = try #require(Activation.tanh.boundedCurvature)
        let largest = stride(from: -4.0, through: 4.0, by: 1e-4).map { abs(Activation.tanh.evaluate($0).second) }.max()!
        #expect(largest <= bound * (1 + 1e-12))
        #expect(largest >= bound * (1 - 1e-8))
        #expect(Activation.softplus.boundedCurvature == nil && Activation.silu.boundedCurvature == nil)
    }

    func network(_ extent: [Int], hidden: Int, scale: Double, seed: UInt64) -> (TranslationInvariantNetwork, [Double]) {
        let net = TranslationInvariantNetwork(lattice: Lattice(extent: extent), kernelSize: 3, hidden: [hidden], activation: .tanh)
        var rng = RandomSource(seed: seed)
        return (net, net.cell.initialParameters(random: &rng, outputScale: 1).map { scale * $0 })
    }

    /// For small and large moves, after accepted moves (the kept slopes must
    /// follow them): the bound is at least the change evaluated onto the same
    /// running totals (one of them large, for the additions' rounding), and for
    /// moves of 1e-5 within 2e-6 of it: the second-order term and the margins
    /// are ~1e-7 there, a wrong first-order term would be off by ~1e-5 |L|.
    @Test(arguments: [([7], 5), ([4, 5], 8), ([3, 3, 4], 11)] as [([Int], Int)])
    func boundHoldsAndIsTightToFirstOrder(extent: [Int], hidden: Int) {
        let (net, p) = network(extent, hidden: hidden, scale: 2.5, seed: 3)
        let v = net.lattice.volume, chains = 6
        var cache = net.siteCache(testFields(samples: chains, sites: v, seed: 5, scale: 1.5), parameters: p)
        var rng = RandomSource(seed: 7)
        var largestSmallSlack = 0.0
        for move in 0..<(4 * v) {
            let site = (move * 5) % v
            let scale = [1e-5, 0.3, 2.0][move % 3]
            let deltas = (0..<chains).map { _ in scale * rng.normal() }
            let totals = (0..<chains).map { $0 % 2 == 0 ? 0.25 : -1e3 }
            var bounds = totals, change = totals
            net.siteChangeBounds(&cache, site: site, deltas: deltas, parameters: p, adding: &bounds)
            net.proposeSiteChange(&cache, site: site, deltas: deltas, parameters: p, adding: &change)
            for c in 0..<chains {
                #expect(bounds[c] >= change[c], "move \(move), chain \(c)")
                if scale == 1e-5 && c % 2 == 0 { largestSmallSlack = max(largestSmallSlack, bounds[c] - change[c]) }
            }
            net.acceptSiteChange(&cache, accepted: (0..<chains).map { ($0 + move) % 2 == 0 })
        }
        #expect(largestSmallSlack < 2e-6)
        #expect(largestSmallSlack > 0)
    }

    /// Networks without a bound (deeper cells, unbounded activations) give +infinity.
    @Test func networksWithoutABoundGiveInfinity() {
        let lattice = Lattice(extent: [5])
        var rng = RandomSource(seed: 2)
        for net in [
            TranslationInvariantNetwork(lattice: lattice, kernelSize: 2, hidden: [4, 3], activation: .tanh),
            TranslationInvariantNetwork(lattice: lattice, kernelSize: 2, hidden: [4], activation: .silu),
        ] {
            let p = net.cell.initialParameters(random: &rng, outputScale: 1)
            var cache = net.siteCache(testFields(samples: 2, sites: 5, seed: 1), parameters: p)
            var bounds = [0.0, 0.0]
            net.siteChangeBounds(&cache, site: 1, deltas: [0.1, -0.2], parameters: p, adding: &bounds)
            #expect(bounds == [.infinity, .infinity])
        }
    }

    /// Metropolis moves with floors against the same moves evaluated in full:
    /// a skipped proposal (change -infinity) is one the evaluated change would
    /// reject, every other change is the evaluated one to the last bit, and the
    /// chains (moved by the test) stay consistent with full evaluations.
    @Test(arguments: [.none, .even, .superposition] as [NetworkSymmetry])
    func floorsSkipOnlyRejectedProposals(symmetry: NetworkSymmetry) {
        let lattice = Lattice(extent: [4, 5])
        let (net, p) = network([4, 5], hidden: 8, scale: 1, seed: 11)
        var rng = RandomSource(seed: 4)
        var base = TailedGaussian(gaussian: GaussianAnsatz(lattice: lattice, fft: RealFFT(extent: [4, 5])), coupling: 24)
        base.parameters = base.parameters.map { $0 + 0.3 * rng.normal() }
        var model = GaussianNetwork(base: base, network: net, networkParameters: p, symmetry: symmetry)
        if symmetry == .superposition { model.shift = 0.4 }
        let chains = 8, v = lattice.volume
        var fields = testFields(samples: chains, sites: v, seed: 9, scale: 1.2)
        var cache = model.siteCache(fields)
        var (skipped, rejected) = (0, 0)
        for move in 0..<(6 * v) {
            let site = (move * 7) % v
            let deltas = (0..<chains).map { _ in 0.5 * rng.normal() }
            let floors = (0..<chains).map { _ in log(1 - rng.uniform()) }
            var evaluatedCache = cache
            var evaluated = [Double](repeating: 0, count: chains), change = evaluated
            model.proposeSiteChange(&evaluatedCache, fields: fields, site: site, deltas: deltas, adding: &evaluated)
            model.proposeSiteChange(&cache, fields: fields, site: site, deltas: deltas, floors: floors, adding: &change)
            for c in 0..<chains {
                if change[c] == -.infinity {
                    skipped += 1
                    #expect(evaluated[c] <= floors[c], "move \(move), chain \(c)")
                } else {
                    #expect(change[c].bitPattern == evaluated[c].bitPattern, "move \(move), chain \(c)")
                }
                if !(floors[c] < evaluated[c]) { rejected += 1 }
            }
            let accepted = (0..<chains).map { floors[$0] < change[$0] }
            model.acceptSiteChange(&cache, site: site, deltas: deltas, accepted: accepted)
            for c in 0..<chains where accepted[c] { fields[c, site] += deltas[c] }
        }
        // Most rejections are proven (the test's proposals are moderate moves).
        #expect(skipped > rejected / 2, "skipped \(skipped) of \(rejected) rejections")
        var after = [Double](repeating: 0, count: chains)
        model.proposeSiteChange(&cache, fields: fields, site: 0, deltas: [Double](repeating: 0.3, count: chains), adding: &after)
        var moved = fields
        for c in 0..<chains { moved[c, 0] += 0.3 }
        let (before, full) = (model.logPsi(fields), model.logPsi(moved))
        for c in 0..<chains { #expect(abs(after[c] - (full[c] - before[c])) < 1e-11 * max(1, abs(before[c]))) }
    }
}
