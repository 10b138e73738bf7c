import Foundation
import FourierTransform
import Lattice
import LinearAlgebra
import NeuralAnsatz
import Simulation
import SimulationConfig
import Statistics
import Testing
import TestSupport
import VMC

/// On one site, `<E_loc>` over `|psi|^2` is a 1D integral: quadrature of the
/// trained wavefunction gives the exact variational energy, which the Monte Carlo
/// evaluation of the same parameters must reproduce within its error. This checks
/// the sampler, the local energy and the error bars together.
@Suite struct QuadratureCheckTests {
    /// Returns (Monte Carlo estimate, quadrature value, exact-diagonalisation value).
    func compare(sampler: String, seed: UInt64) throws -> (mc: Estimate, quadrature: Double, exact: Double) {
        let config = try GroundStateConfiguration.parse(
            yaml: """
                seed: \(seed)
                lattice: {extent: [1]}
                theory: {m2: 1, lambda: 24}
                ansatz: {kind: gaussian-mlp, hidden: [16]}
                sampler: {kind: \(sampler), chains: 16, thermalization: 100, sweep: 4}
                optimizer: {steps: 200, samples: 512, learning_rate: 0.05, diag_shift: 1.0e-3, diag_shift_final: 1.0e-4}
                evaluation: {samples: 16384}
                """, defaultName: "quadrature")
        let result = try GroundStateRun(configuration: config).run()
        let lattice = Lattice(extent: [1])
        let network = MultilayerPerceptron(inputs: 1, hidden: [16], activation: .tanh)
        var model = GaussianNetwork(
            base: TailedGaussian(gaussian: GaussianAnsatz(lattice: lattice, fft: RealFFT(extent: [1])), coupling: 24),
            network: network,
            networkParameters: [Double](repeating: 0, count: network.parameterCount), symmetry: .even)
        model.parameters = result.checkpoint.parameters
        let theory = ScalarTheory(lattice: lattice, massSquared: 1, coupling: 24)
        // Trapezoid rule on [-8, 8]: psi^2 decays like exp(-x^2) at least, so the
        // truncation is far below 1e-12, and the grid error is exponentially small.
        let xs = stride(from: -8.0, through: 8.0, by: 1.0 / 512).map { $0 }
        let grid = FieldBatch(rows: xs.count, columns: 1, storage: xs)
        let logPsi = model.logPsi(grid)
        let shift = logPsi.max()!
        let weight = logPsi.map { exp(2 * ($0 - shift)) }
        let eloc = localEnergies(model, theory, grid)
        let norm = weight.reduce(0, +)
        let exact = zip(weight, eloc).reduce(0) { $0 + $1.0 * $1.1 } / norm
        return (result.energy, exact, result.reference!.energy)
    }

    /// Allows 4 standard errors; the quadrature value must also respect the
    /// variational bound set by exact diagonalisation (to its 1e-10 convergence).
    /// Before the |phi|^3 tail (TailedGaussian) the local energy had a heavy
    /// upper tail. MALA is not checked here: with the tail, |psi|^2 decays faster
    /// than a Gaussian (exp(-c |phi|^3)), and Langevin proposals are then not
    /// geometrically ergodic (Roberts and Tweedie, Bernoulli 2 (1996) 341,
    /// Theorem 4.3): from the tails the drift overshoots, the chain sticks, and
    /// the Gamma-method errors were measured ~1.8x too small (the test had to be
    /// a known issue). The single-site sampler, the default, is checked instead.
    @Test(arguments: [("metropolis", 1), ("metropolis", 2), ("single-site", 1), ("single-site", 2)] as [(String, UInt64)])
    func monteCarloMatchesQuadrature(sampler: String, seed: UInt64) throws {
        let (e, quadrature, exact) = try compare(sampler: sampler, seed: seed)
        #expect(abs(e.mean - quadrature) < 4 * e.error, "\(sampler) seed \(seed): \(e.mean) +- \(e.error) vs quadrature \(quadrature)")
        #expect(quadrature >= exact - 1e-9)
    }
}
