import Foundation
import Lattice
import LinearAlgebra
import NormalizingFlows
import Parallelism
import Sampling
import Statistics
import Optimizers
import VMC

/// The Euclidean benchmark workloads (BENCHMARKS.md), at the settings of the JAX
/// peers in ../shared/peers/euclidean so the rates compare directly:
/// - H32, H64: HMC on 2D phi^4 along the flow papers' line m^2 = -4 (flow
///   convention lam = 4.572 at L = 32, 4.398 at L = 64), leapfrog, trajectory
///   length 1, 16 chains, no Fourier acceleration; the rate is trajectories per
///   second summed over chains, at the step size tuned to 80% acceptance;
/// - F8: one reverse-KL training step of the tutorial's flow (L = 8, M2 = -4,
///   lam = 8; 16 couplings, convolutions 1 -> 8 -> 8 -> 2 with kernel 3, batch 64).
public struct EuclideanBenchmark: Sendable, Codable {
    public var name: String
    /// "trajectory" or "training step".
    public var unit: String
    public var threads: Int
    /// MPI ranks the work was split over.
    public var ranks: Int
    /// Median seconds per unit (per trajectory of one chain for HMC).
    public var secondsPerUnit: Double
    public var unitsPerSecond: Double
    /// HMC: molecular-dynamics steps per trajectory at the tuned step size.
    public var stepsPerTrajectory: Int?

    public static let names = ["H32", "H64", "F8"]

    public static func run(_ name: String, repeats: Int, parallelism: Parallelism) throws -> EuclideanBenchmark {
        let (threads, ranks) = (parallelism.threads, parallelism.ranks.size)
        switch name {
        case "H32", "H64":
            let l = name == "H32" ? 32 : 64
            let mapped = ActionConvention.flow.mapped(first: -4, lam: l == 32 ? 4.572 : 4.398, dimension: 2)
            let action = EuclideanAction(lattice: Lattice(extent: [l, l]), massSquared: mapped.massSquared, coupling: mapped.coupling)
            let hmc = HybridMonteCarlo(
                action: action, integrator: .leapfrog, trajectoryLength: 1, targetAcceptance: 0.8, parallelism: parallelism)
            var state = hmc.initialState(chains: 16, seed: 1)
            try hmc.thermalize(&state, trajectories: 100, stop: .never)
            let per = 20
            let times = try (0..<max(1, repeats)).map { _ in
                try Benchmark.timedThrowing { try hmc.advance(&state, trajectories: per, stop: .never) } / Double(per * 16)
            }
            let t = Benchmark.median(times)
            return EuclideanBenchmark(
                name: name, unit: "trajectory", threads: threads, ranks: ranks, secondsPerUnit: t, unitsPerSecond: 1 / t,
                stepsPerTrajectory: hmc.schedule(stepSize: state.stepSize, jitterDraw: 0.5).steps)
        default:
            let mapped = ActionConvention.flow.mapped(first: -4, lam: 8, dimension: 2)
            let lattice = Lattice(extent: [8, 8])
            let action = EuclideanAction(lattice: lattice, massSquared: mapped.massSquared, coupling: mapped.coupling)
            var random = RandomSource(seed: 1)
            var flow = AffineCouplingFlow(lattice: lattice, layers: 16, hidden: [8, 8], kernel: 3, random: &random)
            var adam = Adam(learningRate: 1e-3)
            let times = (0..<(max(1, repeats) + 2)).map { _ in
                Benchmark.timed {
                    var z = Matrix(rows: 64, columns: 64)
                    z.storage.withUnsafeMutableBufferPointer { random.fillNormal($0) }
                    let batch = flow.lossAndGradient(z, action: action, parallelism: parallelism)
                    adam.update(&flow.parameters, gradient: batch.gradient)
                }
            }.dropFirst(2)
            let t = Benchmark.median(Array(times))
            return EuclideanBenchmark(name: name, unit: "training step", threads: threads, ranks: ranks, secondsPerUnit: t, unitsPerSecond: 1 / t)
        }
    }
}
