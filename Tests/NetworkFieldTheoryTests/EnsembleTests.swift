import Execution
import Foundation
import Lattice
import NetworkFieldTheory
import Parallelism
import Statistics
import TestSupport
import Testing

/// Ensembles of random networks against the exact references, with tolerances
/// from their own errors.
@Suite struct EnsembleTests {
    static let inputs = NetworkInputs(points: [[0.0], [0.3], [-0.7], [1.2], [0.5]], dimension: 1)

    /// G2 at every pair and the connected four-point functions (at finite width,
    /// where they are O(1/N)) within 4.5 sigma of the exact values.
    @Test(arguments: NetworkActivation.allCases)
    func correlatorsMatchTheExactValues(activation: NetworkActivation) {
        let prior = StandardNetworkPrior(activation: activation, width: 3, inputs: Self.inputs, sigmaW: 1.1, sigmaB: 0.6)
        let quadruples = [[0, 0, 0, 0], [0, 1, 2, 3], [1, 1, 4, 4]]
        let ensemble = NetworkEnsemble(prior: prior, networks: 1 << 18, batch: 1024, seed: 5, quadruples: quadruples, translationInvariant: false)
        var moments = ensemble.emptyMoments()
        ensemble.add(batches: 0..<ensemble.batches, to: &moments, parallelism: Parallelism(threads: 2))
        let correlators = EnsembleCorrelators(moments: moments, prior: prior)
        let pairs = correlators.twoPoints.map(\.value)
        for value in pairs { #expect(abs(value.deviation) < 4.5, "\(activation) G2 \(value)") }
        for (set, value) in correlators.fourPoints(exact: prior.connectedFourPoint) {
            #expect(abs(value.deviation) < 4.5, "\(activation) G4c\(set) \(value)")
            #expect(value.errorOfError < 0.5 * value.error)
        }
    }

    /// The quoted errors are the scatter: over 32 independent ensembles the rms of
    /// (value - exact)/error is 1 within its sampling spread (about 1/sqrt(64)), for
    /// G2 (i.i.d. error) and G4c (jackknife over blocks).
    @Test func errorsAreTheScatter() {
        let prior = StandardNetworkPrior(activation: .relu, width: 4, inputs: Self.inputs, sigmaW: 1.0, sigmaB: 0.3)
        var two: [Double] = [], four: [Double] = []
        for seed in 0..<32 {
            let ensemble = NetworkEnsemble(
                prior: prior, networks: 20_000, batch: 250, seed: UInt64(100 + seed), quadruples: [[0, 1, 3, 4]], translationInvariant: false)
            var moments = ensemble.emptyMoments()
            ensemble.add(batches: 0..<ensemble.batches, to: &moments, parallelism: Parallelism(threads: 2))
            let correlators = EnsembleCorrelators(moments: moments, prior: prior)
            two.append(correlators.twoPoint(3, 1).deviation)
            four.append(correlators.fourPoints(exact: prior.connectedFourPoint)[0].value.deviation)
        }
        for pulls in [two, four] {
            let rms = (pulls.reduce(0) { $0 + $1 * $1 } / Double(pulls.count)).squareRoot()
            #expect(rms > 0.6 && rms < 1.45, "rms pull \(rms)")
        }
    }

    /// The sums do not depend on the thread count or on how the batches were
    /// split between calls (a stop and resume): bit-identical.
    @Test func sumsAreIndependentOfThreadsAndSplits() {
        let prior = StandardNetworkPrior(activation: .erf, width: 7, inputs: Self.inputs, sigmaW: 1.0, sigmaB: 0.5)
        let ensemble = NetworkEnsemble(prior: prior, networks: 10_000, batch: 300, seed: 9, quadruples: [[0, 1, 2, 3]], translationInvariant: false)
        var serial = ensemble.emptyMoments(), threaded = serial, split = serial
        ensemble.add(batches: 0..<ensemble.batches, to: &serial, parallelism: .serial)
        ensemble.add(batches: 0..<ensemble.batches, to: &threaded, parallelism: Parallelism(threads: 3))
        ensemble.add(batches: 0..<11, to: &split, parallelism: Parallelism(threads: 2))
        ensemble.add(batches: 11..<ensemble.batches, to: &split, parallelism: Parallelism(threads: 2))
        #expect(serial == threaded && serial == split && serial.networks == 10_000)
    }

    /// The free-field network's G(k) is 1/(khat^2 + m2) at every momentum and G(r)
    /// the lattice propagator, at a width far below the volume and at a large one;
    /// the zero-momentum connected four-point function is its exact O(1/N) value.
    @Test(arguments: [2, 60])
    func freeFieldNetworkIsTheFreeField(width: Int) {
        let lattice = Lattice(extent: [4, 4])
        let prior = FreeFieldNetworkPrior(lattice: lattice, massSquared: 0.5, width: width)
        let v = lattice.volume
        let ensemble = NetworkEnsemble(
            prior: prior, networks: 1 << 17, batch: 1024, seed: 2, quadruples: [[0, 1, 5, 6], [v, v, v, v]], translationInvariant: true)
        var moments = ensemble.emptyMoments()
        ensemble.add(batches: 0..<ensemble.batches, to: &moments, parallelism: Parallelism(threads: 2))
        let correlators = EnsembleCorrelators(moments: moments, prior: prior)
        let momenta = correlators.momentumTwoPoints(exact: prior.momentumTwoPoint) ?? []
        #expect(momenta.count == v)
        for (k, value) in momenta.enumerated() { #expect(abs(value.deviation) < 4.5, "G(k) at \(k): \(value)") }
        let separations = correlators.positionTwoPoints { r in prior.twoPoint(r, 0) } ?? []
        for (r, value) in separations.enumerated() { #expect(abs(value.deviation) < 4.5, "G(r) at \(r): \(value)") }
        let four = correlators.fourPoints { set in set[0] == v ? prior.zeroMomentumFourPoint : prior.connectedFourPoint(set) }
        for (set, value) in four { #expect(abs(value.deviation) < 4.5, "G4c\(set) at N = \(width): \(value)") }
    }

    /// The deformed ensemble of one neuron on one site, phi = a cos c, against the
    /// exact <phi^2> and <phi^4> of the density prior(a, c) exp(-(lambda/24) phi^4)
    /// by quadrature (a on a fine grid under its Gaussian, c on a uniform grid).
    /// The chains start at prior draws, far from the deformed ensemble.
    @Test func deformedEnsembleSamplesTheDeformedDensity() throws {
        let lattice = Lattice(extent: [1])
        let prior = FreeFieldNetworkPrior(lattice: lattice, massSquared: 0.25, width: 1)
        let lambda = 12.0
        let chains = DeformedNetworkChains(prior: prior, coupling: lambda)
        var state = chains.initialChains(16, seed: 4)
        let series = try chains.sample(&state, records: 20_000, every: 1, stop: .never, parallelism: Parallelism(threads: 2))
        var values: [Double] = []
        for r in 0..<20_000 {
            for c in 0..<16 {
                let phi = series[c][r]
                values += [phi * phi, phi * phi * phi * phi]
            }
        }
        let estimates = GammaMethod().estimates(ReplicaSeries(chains: 16, observables: 2, values: values))
        // Exact: sigma_a^2 = 2 Z / V = 2 / m2.
        let s = (2 / 0.25).squareRoot()
        var z = 0.0, m2 = 0.0, m4 = 0.0
        for i in -4000...4000 {
            let a = Double(i) / 4000 * 10 * s
            let weight = exp(-a * a / (2 * s * s))
            for j in 0..<64 {
                let phi = a * cos(2 * Double.pi * Double(j) / 64)
                let w = weight * exp(-lambda / 24 * phi * phi * phi * phi)
                z += w; m2 += w * phi * phi; m4 += w * phi * phi * phi * phi
            }
        }
        #expect(abs(estimates[0].mean - m2 / z) < 4.5 * estimates[0].error, "<phi^2> \(estimates[0]) exact \(m2 / z)")
        #expect(abs(estimates[1].mean - m4 / z) < 4.5 * estimates[1].error, "<phi^4> \(estimates[1]) exact \(m4 / z)")
        let acceptance = DeformedNetworkChains.acceptance(state)
        #expect(acceptance > 0.05 && acceptance < 0.95)
        // Without the deformation every redraw is accepted.
        var free = DeformedNetworkChains(prior: prior, coupling: 0).initialChains(2, seed: 1)
        _ = try DeformedNetworkChains(prior: prior, coupling: 0).sample(&free, records: 10, every: 1, stop: .never, parallelism: .serial)
        #expect(DeformedNetworkChains.acceptance(free) == 1)
    }
}
