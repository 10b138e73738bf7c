import Foundation
import FourierTransform
import Lattice
import LinearAlgebra
import NeuralAnsatz
import Parallelism
import Sampling
import Testing
import TestSupport
import Optimizers
import VMC

/// Optimizers start away from the answer (every `a_k = 1`) and must find the
/// free ground state `a_k = omega_k`.
@Suite struct OptimizerTests {
    func driver<U: Optimizer, S: Sampler<BornDensity<GaussianAnsatz>>>(
        _ extent: [Int], m2: Double, optimizer: U, seed: UInt64, sampler: (MetropolisSettings) -> S
    ) -> VMCDriver<GaussianAnsatz, S, U> {
        let lattice = Lattice(extent: extent)
        let sampler = sampler(MetropolisSettings(chains: 16, sweep: 2 * lattice.volume))
        return VMCDriver(
            theory: ScalarTheory(lattice: lattice, massSquared: m2, coupling: 0),
            model: GaussianAnsatz(lattice: lattice, fft: RealFFT(extent: extent)),
            sampler: sampler, samplerState: sampler.initialState(sites: lattice.volume, seed: seed),
            optimizer: optimizer, sweepsPerStep: 16, discardSweeps: 2)
    }

    func driver<U: Optimizer>(_ extent: [Int], m2: Double, optimizer: U, seed: UInt64)
        -> VMCDriver<GaussianAnsatz, RandomWalkSampler<BornDensity<GaussianAnsatz>>, U>
    {
        driver(extent, m2: m2, optimizer: optimizer, seed: seed, sampler: RandomWalkSampler.init)
    }

    func frequencyDeviation(_ model: GaussianAnsatz, m2: Double) -> Double {
        let exact = FreeTheory(lattice: model.lattice, massSquared: m2).frequencies
        return maxRelativeDeviation(model.frequencies, exact)
    }

    /// SR is imaginary-time evolution: each mode's deviation shrinks by about
    /// `1 - 2 omega_k eta` per step, and the gradient noise vanishes with it
    /// (zero variance), so 150 steps at eta = 0.2 take the slowest mode
    /// (omega = 0.71) from O(1) to far below 1e-6.
    @Test(arguments: [([6], 1, false), ([3, 4], 2, false), ([2, 3, 2], 3, false), ([3, 4], 7, true)]
        as [([Int], UInt64, Bool)])
    func stochasticReconfigurationFindsTheFreeGroundState(extent: [Int], seed: UInt64, singleSite: Bool) throws {
        let sr = StochasticReconfiguration(learningRate: 0.2, diagonalShift: 1e-4)
        if singleSite {
            try findsTheFreeGroundState(driver(extent, m2: 0.5, optimizer: sr, seed: seed, sampler: SingleSiteSampler.init), seed)
        } else {
            try findsTheFreeGroundState(driver(extent, m2: 0.5, optimizer: sr, seed: seed), seed)
        }
    }

    func findsTheFreeGroundState<S: Sampler<BornDensity<GaussianAnsatz>>>(
        _ driver: VMCDriver<GaussianAnsatz, S, StochasticReconfiguration>, _ seed: UInt64
    ) throws {
        let m2 = 0.5
        var d = driver
        try d.thermalize(sweeps: 50)
        let start = frequencyDeviation(d.model, m2: m2)
        var last: StepReport?
        for _ in 0..<150 { last = try d.step() }
        #expect(start > 0.1)
        #expect(frequencyDeviation(d.model, m2: m2) < 1e-6, "seed \(seed)")
        let e0 = FreeTheory(lattice: d.model.lattice, massSquared: m2).groundStateEnergy
        #expect(isClose(last!.energy.mean, e0, relative: 1e-10), "seed \(seed)")
    }

    /// Adam follows the noisy plain gradient; it need not converge to machine
    /// precision, but it must move every frequency most of the way.
    @Test func adamLowersTheEnergyTowardTheGroundState() throws {
        let m2 = 0.5
        var d = driver([6], m2: m2, optimizer: Adam(learningRate: 0.05), seed: 4)
        try d.thermalize(sweeps: 50)
        let first = try d.step()
        for _ in 0..<300 { _ = try d.step() }
        let last = try d.step()
        let e0 = FreeTheory(lattice: d.model.lattice, massSquared: m2).groundStateEnergy
        #expect(frequencyDeviation(d.model, m2: m2) < 0.05)
        #expect(abs(last.energy.mean - e0) < 0.01 * abs(first.energy.mean - e0))
    }
}

/// The sample-space (MinSR) solve equals the parameter-space one.
@Suite struct StochasticReconfigurationTests {
    @Test func sampleAndParameterSpaceSolvesAgree() throws {
        let sr = StochasticReconfiguration(learningRate: 0.1, diagonalShift: 1e-2)
        // Few samples, many parameters: P = 12 > N = 5 takes the sample-space route.
        let o = Matrix(rows: 5, columns: 12, storage: testFields(samples: 5, sites: 12, seed: 1).storage)
        let e = testFields(samples: 1, sites: 5, seed: 2).storage
        var solver = sr
        let wide = try solver.naturalGradient(EnergySamples(logDerivatives: o, localEnergies: e))
        // The same S + eps I built and solved in parameter space.
        let samples = EnergySamples(logDerivatives: o, localEnergies: e)
        let c = samples.centredLogDerivatives
        var s = product(c, .transpose, c, .none)
        for i in s.storage.indices { s.storage[i] /= 5 }
        for q in 0..<12 { s[q, q] += 1e-2 }
        let direct = try choleskySolve(s, samples.force)
        #expect(maxRelativeDeviation(wide, direct) < 1e-10)
        // Conjugate gradients (forced by a zero dense limit) converge to the same
        // solution: relative residual 1e-12 bounds the error by cond(S) * 1e-12.
        var iterative = sr
        iterative.denseLimit = 0
        iterative.cgTolerance = 1e-12
        let cg = try iterative.naturalGradient(EnergySamples(logDerivatives: o, localEnergies: e))
        #expect(maxRelativeDeviation(cg, direct) < 1e-8)
        // ... also with O held as row blocks (products summed block by block).
        var blocked = iterative
        let blocks = [0..<2, 2..<3, 3..<5].map { ParameterJacobian(dense: o.rows($0)) }
        let split = try blocked.naturalGradient(EnergySamples(logDerivatives: LogDerivatives(blocks: blocks), localEnergies: e))
        #expect(maxRelativeDeviation(split, direct) < 1e-8)
    }

    /// CG through a network's factored Jacobian (outer blocks preconditioned by
    /// K-FAC, dense ones exactly) converges to the dense parameter-space solve.
    @Test func conjugateGradientsThroughTheFactoredJacobianMatchTheDenseSolve() throws {
        let model = testNetworkModel(extent: [5], hidden: [6, 4], seed: 21)
        let fields = testFields(samples: 300, sites: 5, seed: 6, scale: 1.2)
        let e = testFields(samples: 1, sites: 300, seed: 7).storage
        let blocks = [0..<100, 100..<300].map { model.parameterJacobian(fields.rows($0)) }
        let samples = EnergySamples(logDerivatives: LogDerivatives(blocks: blocks), localEnergies: e)
        var dense = StochasticReconfiguration(learningRate: 0.1, diagonalShift: 1e-3)
        let direct = try dense.naturalGradient(samples)  // P = 71 <= N: Cholesky in parameter space
        var iterative = dense
        iterative.denseLimit = 0
        iterative.cgTolerance = 1e-12
        iterative.cgMaxIterations = 500
        #expect(maxRelativeDeviation(try iterative.naturalGradient(samples), direct) < 1e-7)
    }
}

/// The threads split chains and sample blocks, never the arithmetic: an
/// optimisation of a network (CG solve through the factored Jacobian, blocks of
/// samples) gives bit-identical parameters and energies on 1 and 2 threads.
@Suite struct ThreadIndependenceTests {
    func steps(threads: Int) throws -> ([Double], [Double]) {
        let model = testNetworkModel(extent: [10], hidden: [70], seed: 3, outputScale: 0.1)
        let parallelism = Parallelism(threads: threads)
        let sampler = RandomWalkSampler<BornDensity<GaussianNetwork<GaussianAnsatz, MultilayerPerceptron>>>(
            MetropolisSettings(chains: 32, sweep: 10, parallelism: parallelism))
        var d = VMCDriver(
            theory: ScalarTheory(lattice: model.lattice, massSquared: 1, coupling: 24), model: model, sampler: sampler,
            samplerState: sampler.initialState(sites: 10, seed: 9),
            optimizer: StochasticReconfiguration(learningRate: 0.05, diagonalShift: 1e-3),
            sweepsPerStep: 24, discardSweeps: 2, parallelism: parallelism)
        #expect(d.model.parameterCount > 512)  // P and N = 768 above the dense limit: CG
        try d.thermalize(sweeps: 5)
        var energies: [Double] = []
        for _ in 0..<3 { energies.append(try d.step().energy.mean) }
        return (d.model.parameters, energies)
    }

    @Test func resultsDoNotDependOnTheThreadCount() throws {
        let one = try steps(threads: 1), two = try steps(threads: 2)
        #expect(one.0 == two.0)
        #expect(one.1 == two.1)
    }
}
