import Foundation
import Correlators
import Execution
import FourierTransform
import Lattice
import Measurements
import Parallelism
import Sampling
import Statistics
import Testing
import TestSupport

/// HMC's integrators and its sampling, checked against what must hold exactly:
/// reversibility, the order of the energy error, <exp(-dH)> = 1, and the free
/// field's propagator.
struct HybridMonteCarloTests {
    static let interacting = EuclideanAction(lattice: Lattice(extent: [6, 6]), massSquared: -1, coupling: 12)

    static func sampler(
        _ action: EuclideanAction, _ integrator: MolecularDynamics, accelerated: Bool = false, tau: Double = 1
    ) -> HybridMonteCarlo {
        HybridMonteCarlo(
            action: action, integrator: integrator, trajectoryLength: tau,
            acceleration: accelerated ? FourierAcceleration(action: action, accelerationMass: 2) : nil)
    }

    /// Equilibrium configurations of `interacting` (the integrator tests start from typical fields).
    static let equilibrium: HMCState = {
        let hmc = sampler(interacting, .omelyan)
        var state = hmc.initialState(chains: 8, seed: 11)
        try! hmc.thermalize(&state, trajectories: 300, stop: .never)
        return state
    }()

    /// `dH` of one trajectory from `phi` with the momentum of `seed`.
    static func deltaH(_ hmc: HybridMonteCarlo, _ phi: [Double], seed: UInt64, steps: Int) -> Double {
        let v = phi.count
        var w = hmc.makeWorkspace()
        var random = RandomSource(seed: seed)
        var field = phi
        hmc.drawMomentum(w.momentum, &random, workspace: &w)
        var p = Array(w.momentum)
        return field.withUnsafeMutableBufferPointer { f in
            p.withUnsafeMutableBufferPointer { q in
                let start = hmc.action.action(f.baseAddress!) + hmc.kineticEnergy(q.baseAddress!, workspace: &w)
                hmc.integrate(f.baseAddress!, q.baseAddress!, steps: steps, stepSize: hmc.trajectoryLength / Double(steps), workspace: &w)
                _ = v
                return hmc.action.action(f.baseAddress!) + hmc.kineticEnergy(q.baseAddress!, workspace: &w) - start
            }
        }
    }

    @Test(arguments: [(MolecularDynamics.leapfrog, false), (.omelyan, false), (.leapfrog, true), (.omelyan, true)])
    func integratorIsReversible(integrator: MolecularDynamics, accelerated: Bool) {
        let hmc = Self.sampler(Self.interacting, integrator, accelerated: accelerated)
        let v = 36
        let start = Array(Self.equilibrium.fields.storage[0..<v])
        var w = hmc.makeWorkspace()
        var random = RandomSource(seed: 5)
        hmc.drawMomentum(w.momentum, &random, workspace: &w)
        let p0 = Array(w.momentum)
        var phi = start, p = p0
        phi.withUnsafeMutableBufferPointer { f in
            p.withUnsafeMutableBufferPointer { q in
                hmc.integrate(f.baseAddress!, q.baseAddress!, steps: 20, stepSize: 0.05, workspace: &w)
                for x in 0..<v { q[x] = -q[x] }
                hmc.integrate(f.baseAddress!, q.baseAddress!, steps: 20, stepSize: 0.05, workspace: &w)
            }
        }
        #expect(maxRelativeDeviation(phi, start) < 1e-12)
        #expect(maxRelativeDeviation(p.map { -$0 }, p0) < 1e-12)
    }

    /// At fixed trajectory length, |dH| falls as eps^2 and <dH> as eps^4: halving eps
    /// divides them by 4 and 16. <dH> vanishes at order eps^2 only on average over
    /// the equilibrium distribution (<exp(-dH)> = 1 gives <dH> = <dH^2>/2 + ...), so
    /// each of 8192 configurations from the chains gets one fresh momentum.
    @Test(arguments: [MolecularDynamics.leapfrog, .omelyan])
    func energyErrorScaling(integrator: MolecularDynamics) throws {
        let hmc = Self.sampler(Self.interacting, integrator)
        var state = Self.equilibrium
        var configurations: [[Double]] = []
        try Self.sampler(Self.interacting, .omelyan).sample(&state, records: 1024, stop: .never) { fields in
            for c in 0..<fields.rows { configurations.append(Array(fields.storage[(c * 36)..<((c + 1) * 36)])) }
        }
        func moments(steps: Int) -> (absolute: Double, mean: Double, meanSquare: Double, excessError: Double) {
            // dH and dH - dH^2/2 per trajectory; the latter's mean is O(eps^6).
            var absolute = 0.0, mean = 0.0, square = 0.0, excess = [Double]()
            for (i, phi) in configurations.enumerated() {
                let d = Self.deltaH(hmc, phi, seed: UInt64(i), steps: steps)
                absolute += abs(d)
                mean += d
                square += d * d
                excess.append(d - d * d / 2)
            }
            let n = Double(configurations.count)
            let excessMean = excess.reduce(0, +) / n
            let excessVariance = excess.map { ($0 - excessMean) * ($0 - excessMean) }.reduce(0, +) / (n - 1)
            return (absolute / n, mean / n, square / n, (excessVariance / n).squareRoot())
        }
        let coarse = moments(steps: 4), fine = moments(steps: 8)
        let absoluteRatio = coarse.absolute / fine.absolute
        #expect(absoluteRatio > 3.5 && absoluteRatio < 4.5, "|dH| ratio \(absoluteRatio)")
        // <dH^2> falls as eps^4 (ratio 16 up to the O(eps^2) correction) ...
        let squareRatio = coarse.meanSquare / fine.meanSquare
        #expect(squareRatio > 13 && squareRatio < 19, "<dH^2> ratio \(squareRatio)")
        // ... and <dH> equals <dH^2>/2 within 4 standard errors at both step sizes, so <dH> falls as eps^4 too.
        for m in [coarse, fine] {
            #expect(abs(m.mean - m.meanSquare / 2) < 4 * m.excessError, "<dH> \(m.mean), <dH^2>/2 \(m.meanSquare / 2) +- \(m.excessError)")
        }
        #expect(coarse.mean > 0)
    }

    @Test func omelyanBeatsLeapfrogAtEqualCost() {
        let leapfrog = Self.sampler(Self.interacting, .leapfrog), omelyan = Self.sampler(Self.interacting, .omelyan)
        let phi = Array(Self.equilibrium.fields.storage[0..<36])
        var l = 0.0, o = 0.0
        for seed in 0..<128 {
            l += abs(Self.deltaH(leapfrog, phi, seed: UInt64(seed), steps: 20))
            o += abs(Self.deltaH(omelyan, phi, seed: UInt64(seed), steps: 10))  // 2 forces per step
        }
        #expect(o < 0.5 * l, "Omelyan |dH| \(o / 128) against leapfrog \(l / 128)")
    }

    /// <exp(-dH)> = 1 for an area-preserving, reversible integrator in equilibrium
    /// (Creutz), tested within 4 standard errors at a step size with large dH.
    @Test(arguments: [false, true])
    func boltzmannFactorAveragesToOne(accelerated: Bool) throws {
        let hmc = Self.sampler(Self.interacting, .leapfrog, accelerated: accelerated)
        var state = Self.equilibrium
        state.stepSize = accelerated ? 0.35 : 0.25
        var series = ReplicaSeries(chains: state.chains, observables: 1)
        var recorded: [[Double]] = []
        try hmc.advance(&state, trajectories: 1, stop: .never)
        // The factors of individual trajectories, chain by chain, through `trajectory`.
        for c in 0..<state.chains {
            var phi = Array(state.fields.storage[(c * 36)..<((c + 1) * 36)])
            var random = state.random[c]
            var w = hmc.makeWorkspace()
            var factors: [Double] = []
            for _ in 0..<400 {
                let t = phi.withUnsafeMutableBufferPointer { hmc.trajectory($0.baseAddress!, &random, stepSize: state.stepSize, workspace: &w) }
                factors.append(exp(-(t?.deltaH ?? .nan)))
            }
            recorded.append(factors)
        }
        for t in 0..<400 { series.append(record: recorded.map { $0[t] }) }
        let e = GammaMethod().estimate(series)
        #expect(abs(e.mean - 1) < 4 * e.error, "<exp(-dH)> = \(e.mean) +- \(e.error)")
        #expect(e.error < 0.05)
    }

    /// The free field's propagator `G(k) = 1/K(k)` on non-square lattices in
    /// D = 1..4, with and without Fourier acceleration, and with an anisotropic
    /// temporal spacing: the normalised deviations have RMS near 1.
    @Test(arguments: [
        ([12], 1.0, false), ([6, 4], 1.0, false), ([4, 3, 5], 1.0, true), ([3, 4, 2, 3], 1.0, true), ([8, 3], 0.4, true),
    ])
    func freeFieldPropagatorIsExact(extent: [Int], temporalSpacing: Double, accelerated: Bool) throws {
        try freeFieldPropagator(extent: extent, temporalSpacing: temporalSpacing, accelerated: accelerated, symmetric: false)
    }

    /// The same with the correlators averaged over the action's symmetry orbits
    /// (`LatticeSymmetry`, as Euclidean runs measure them): each orbit's value is
    /// still the exact propagator.
    @Test(arguments: [([12], 1.0), ([6, 6], 1.0), ([4, 4, 3], 1.0), ([6, 6], 0.4)])
    func freeFieldPropagatorOverSymmetryOrbitsIsExact(extent: [Int], temporalSpacing: Double) throws {
        try freeFieldPropagator(extent: extent, temporalSpacing: temporalSpacing, accelerated: true, symmetric: true)
    }

    func freeFieldPropagator(extent: [Int], temporalSpacing: Double, accelerated: Bool, symmetric: Bool) throws {
        let lattice = Lattice(extent: extent)
        let action = EuclideanAction(lattice: lattice, massSquared: 0.7, coupling: 0, temporalSpacing: temporalSpacing)
        let hmc = HybridMonteCarlo(
            action: action, integrator: .omelyan, trajectoryLength: accelerated ? 1.5 : 1, jitter: 0.2,
            acceleration: accelerated ? FourierAcceleration(action: action, accelerationMass: 0.7) : nil,
            parallelism: Parallelism(threads: 2))
        var state = hmc.initialState(chains: 8, seed: 3)
        try hmc.thermalize(&state, trajectories: 100, stop: .never)
        let exact = action.freeKernel(massSquared: 0.7).map { 1 / $0 }
        let symmetry = symmetric ? LatticeSymmetry.ofAction(lattice: lattice, anisotropic: temporalSpacing != 1) : nil
        let measurement = CorrelatorMeasurement(
            lattice: lattice, fft: RealFFT(extent: extent), exact: exact, groundState: false, symmetry: symmetry)
        let set = MeasurementSet([measurement], chains: 8)
        var block = set.emptyBlock()
        try hmc.sample(&state, records: 1500, stop: .never) { set.record(MeasuredSweep(fields: $0), into: &block) }
        var series = set.emptySeries()
        MeasurementSet.append(block, to: &series)
        let rows = try measurement.result(series[0]).momentum
        // One row per orbit (its members share the estimate).
        let firsts = symmetry.map { $0.members.map { $0[0] } } ?? Array(rows.indices)
        let rms = normalizedRMS(
            values: firsts.map { rows[$0].correlator.mean }, errors: firsts.map { rows[$0].correlator.error }, exact: firsts.map { exact[$0] })
        // Distinct momenta only (G(k) = G(-k) are one measurement): the RMS of n
        // independent normal deviations is 1 within ~ 1/sqrt(2n); here n >= 6.
        #expect(rms > 0.45 && rms < 1.6, "RMS deviation \(rms)")
        #expect(state.acceptance > 0.3)
    }
}
