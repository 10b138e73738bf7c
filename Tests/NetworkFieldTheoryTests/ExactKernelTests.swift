import Foundation
import Lattice
import Statistics
import TestSupport
import Testing

import NetworkFieldTheory

/// The exact references, each against a second, independent method.
@Suite struct ExactKernelTests {
    static let inputs = NetworkInputs(points: [[-0.9, 0.2], [0.3, 0.5], [1.1, -0.4], [0.0, 0.0], [0.6, 0.6]], dimension: 2)

    static func covariance(_ prior: StandardNetworkPrior, _ points: [Int]) -> [[Double]] {
        points.map { p in points.map { q in prior.preactivationCovariance(p, q) } }
    }

    /// The closed-form kernels (arcsine, arc-cosine, Gauss-net, cos) against the
    /// quadrature of E[s(x) s(y)] over the pre-activations.
    @Test(arguments: NetworkActivation.allCases)
    func twoPointClosedFormsMatchQuadrature(activation: NetworkActivation) {
        let prior = StandardNetworkPrior(activation: activation, width: 10, inputs: Self.inputs, sigmaW: 1.7, sigmaB: 0.6)
        for p in 0..<5 {
            for q in 0...p {
                let quadrature = GaussianExpectation(covariance: Self.covariance(prior, [p, q])).productOf(activation)
                #expect(isClose(prior.neuronTwoPoint(p, q), quadrature, relative: 1e-8), "\(activation) (\(p), \(q))")
            }
        }
    }

    /// The quadrature used for erf and relu four-point functions, checked where
    /// closed forms exist: gauss and cos at distinct points (ranks 3 and 4 of the
    /// covariance), and E[relu(z)^4] = 3 sigma^4 / 2 at coincident points.
    @Test func fourPointQuadratureMatchesClosedForms() {
        for activation in [NetworkActivation.gauss, .cos] {
            let prior = StandardNetworkPrior(activation: activation, width: 10, inputs: Self.inputs, sigmaW: 1.2, sigmaB: 0.5)
            for set in [[0, 1, 2, 3], [0, 1, 2, 4], [1, 1, 3, 4], [2, 2, 2, 2]] {
                let quadrature = GaussianExpectation(covariance: Self.covariance(prior, set)).productOf(activation)
                // exp(4 z) at coincident points moves the Gauss-net's mass toward the range's end: 1e-7 there.
                #expect(isClose(prior.neuronFourPoint(set), quadrature, relative: activation == .gauss ? 1e-7 : 1e-9), "\(activation) \(set)")
            }
        }
        let relu = StandardNetworkPrior(activation: .relu, width: 10, inputs: Self.inputs, sigmaW: 1.2, sigmaB: 0.5)
        let sigma2 = relu.preactivationCovariance(2, 2)
        #expect(isClose(relu.neuronFourPoint([2, 2, 2, 2]), 1.5 * sigma2 * sigma2, relative: 1e-12))
    }

    /// The quadrature is converged: halving every panel moves erf and relu
    /// four-point functions by less than 1e-7 relative (rank 3), 1e-5 (rank 4).
    @Test(arguments: [NetworkActivation.erf, .relu], [2, 3])
    func fourPointQuadratureConverges(activation: NetworkActivation, dimension: Int) {
        // In three dimensions four points span the rank-4 case.
        let inputs = dimension == 2 ? Self.inputs : NetworkInputs(points: [[-0.9, 0.2, 0.1], [0.3, 0.5, -0.2], [1.1, -0.4, 0.6], [0, 0, 0], [0.6, 0.6, 0.6]], dimension: 3)
        let prior = StandardNetworkPrior(activation: activation, width: 10, inputs: inputs, sigmaW: 2.0, sigmaB: 0.5)
        for set in [[0, 1, 2, 3], [0, 2, 3, 4]] {
            let sigma = Self.covariance(prior, set)
            let coarse = GaussianExpectation(covariance: sigma).productOf(activation)
            let fine = GaussianExpectation(covariance: sigma, panel: 0.5).productOf(activation)
            #expect(isClose(coarse, fine, relative: dimension == 2 ? 1e-7 : 1e-5), "\(activation) \(set): \(coarse) vs \(fine)")
        }
    }

    /// The free-field network's kernel is the lattice propagator (1/V) sum_k
    /// e^{ik.r}/(khat^2 + m2) at every width, and its one-neuron four-point moment
    /// is the average over momenta and phases (phases on a 16-point grid, exact
    /// for the harmonics of a product of four cosines).
    @Test func freeFieldNetworkKernels() {
        let lattice = Lattice(extent: [4, 3])
        let m2 = 0.7
        let v = Double(lattice.volume)
        for width in [1, 10] {
            let prior = FreeFieldNetworkPrior(lattice: lattice, massSquared: m2, width: width)
            for x in 0..<lattice.volume {
                for y in 0..<lattice.volume {
                    let a = lattice.coordinates(of: x), b = lattice.coordinates(of: y)
                    var propagator = 0.0
                    for k in 0..<lattice.volume {
                        let kk = lattice.momentum(k)
                        propagator += cos(kk[0] * Double(a[0] - b[0]) + kk[1] * Double(a[1] - b[1])) / (lattice.latticeMomentumSquared(k) + m2)
                    }
                    #expect(isClose(prior.twoPoint(x, y), propagator / v, relative: 1e-12))
                }
            }
        }
        let prior = FreeFieldNetworkPrior(lattice: lattice, massSquared: m2, width: 3)
        for set in [[0, 1, 2, 3], [0, 0, 5, 5], [1, 4, 7, 11], [2, 2, 2, 2]] {
            var sum = 0.0
            for k in 0..<lattice.volume {
                let kk = lattice.momentum(k)
                for j in 0..<16 {
                    let c = 2 * Double.pi * Double(j) / 16
                    sum += prior.probability[k] / 16 * set.reduce(1.0) { product, site in
                        let n = lattice.coordinates(of: site)
                        return product * cos(kk[0] * Double(n[0]) + kk[1] * Double(n[1]) + c)
                    }
                }
            }
            #expect(isClose(prior.neuronFourPoint(set), sum, relative: 1e-12), "\(set)")
        }
    }
}
