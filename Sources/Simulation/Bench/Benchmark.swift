import Correlators
import Foundation
import FourierTransform
import Lattice
import Measurements
import LinearAlgebra
import NeuralAnsatz
import Parallelism
import Sampling
import Statistics
import VMC

/// A fixed benchmark workload (BENCHMARKS.md): phi^4 with m2 = 1, lambda = 24, the
/// Gaussian times a one-hidden-layer tanh network (no symmetrisation, no tail:
/// the same model as NetKet's peer script), Metropolis with V proposals per
/// sample, SR. W1-W4 move every site per proposal (NetKet's work); W1s-W4s are
/// the same problems with single-site proposals (less work per proposal).
public struct BenchmarkWorkload: Sendable, Codable {
    public var name: String
    public var extent: [Int]
    public var hidden: Int
    public var samples: Int
    public var singleSite = false
    public var chains = 64
    public var discard = 5

    static let equalWork: [BenchmarkWorkload] = [
        BenchmarkWorkload(name: "W1", extent: [32], hidden: 64, samples: 4096),
        BenchmarkWorkload(name: "W2", extent: [8, 8], hidden: 128, samples: 4096),
        BenchmarkWorkload(name: "W3", extent: [8], hidden: 16, samples: 4096),
        BenchmarkWorkload(name: "W4", extent: [6, 6, 6], hidden: 64, samples: 1024),
    ]

    public static let all: [BenchmarkWorkload] = equalWork + equalWork.map {
        var w = $0
        w.name += "s"
        w.singleSite = true
        return w
    }

    /// Run only when named: L16s, a 16^3 lattice (the MPI scaling model's 3D
    /// workload, BENCHMARKS.md), single-site proposals.
    public static let large = [BenchmarkWorkload(name: "L16s", extent: [16, 16, 16], hidden: 32, samples: 1024, singleSite: true)]
}

/// What a benchmark run measured; times are medians over the timed steps.
public struct BenchmarkResult: Sendable, Codable {
    public var workload: BenchmarkWorkload
    public var parameters: Int
    public var timedSteps: Int
    public var threads: Int
    /// MPI ranks the step was split over.
    public var ranks: Int
    /// Per timed step: collectives, and megabytes they moved (gathered, or
    /// reduced vectors), counted on rank 0 (`Communicator.traffic`).
    public var collectivesPerStep: Double
    public var communicatedMBPerStep: Double
    public var secondsPerStep: Double
    public var sampling: Double
    public var localEnergy: Double
    public var parameterGradient: Double
    public var update: Double
    /// FFTW correlator accumulation over one step's samples (not part of a step).
    public var correlators: Double
    public var samplesPerSecond: Double
    /// The process's peak resident memory so far, in MiB.
    public var peakMemoryMiB: Double
    /// dgemm rate of one core of this machine (1024^3 product), GFLOP/s.
    public var dgemmGFLOPS: Double
    /// The network's forward pass on a batch of `samples` fields, one core, GFLOP/s.
    public var networkGFLOPS: Double
}

public enum Benchmark {
    /// Runs `warmup` untimed and `steps` timed optimisation steps of `workload`.
    public static func run(_ workload: BenchmarkWorkload, warmup: Int, steps: Int, parallelism: Parallelism) throws -> BenchmarkResult {
        let lattice = Lattice(extent: workload.extent)
        let v = lattice.volume
        let fft = RealFFT(extent: lattice.extent)
        let network = MultilayerPerceptron(inputs: v, hidden: [workload.hidden], activation: .tanh)
        var random = RandomSource(seed: 1, stream: 1 << 40)
        let model = GaussianNetwork(
            base: GaussianAnsatz(lattice: lattice, fft: fft), network: network,
            networkParameters: network.initialParameters(random: &random, outputScale: 0.01), symmetry: .none)
        let settings = MetropolisSettings(chains: workload.chains, sweep: v, parallelism: parallelism)
        let (timings, traffic) = workload.singleSite
            ? try time(model, SingleSiteSampler(settings), workload, warmup: warmup, steps: steps)
            : try time(model, RandomWalkSampler(settings), workload, warmup: warmup, steps: steps)

        // Correlators for one step's worth of samples.
        let fields = testBatch(samples: workload.samples, sites: v)
        let correlatorSeconds = median((0..<3).map { _ in
            timed {
                let m = MeasurementSet([CorrelatorMeasurement(lattice: lattice, fft: fft)], chains: workload.chains)
                var block = m.emptyBlock()
                let perRecord = workload.chains * v
                for r in 0..<(workload.samples / workload.chains) {
                    let batch = FieldBatch(rows: workload.chains, columns: v, storage: Array(fields.storage[(r * perRecord)..<((r + 1) * perRecord)]))
                    m.record(MeasuredSweep(fields: batch), into: &block)
                }
            }
        })
        // The network's forward pass: 2 B V H + 2 B H floating-point operations.
        let flops = 2.0 * Double(workload.samples) * Double(workload.hidden) * Double(v + 1)
        let parameters = model.networkParameters
        let forward = median((0..<5).map { _ in timed { _ = network.value(fields, parameters: parameters) } })
        let perStep = median(timings.map(\.total))
        return BenchmarkResult(
            workload: workload, parameters: model.parameterCount, timedSteps: steps, threads: parallelism.threads, ranks: parallelism.ranks.size,
            collectivesPerStep: Double(traffic.collectives) / Double(steps), communicatedMBPerStep: Double(traffic.words) * 8e-6 / Double(steps),
            secondsPerStep: perStep, sampling: median(timings.map(\.sampling)),
            localEnergy: median(timings.map(\.localEnergy)),
            parameterGradient: median(timings.map(\.parameterGradient)), update: median(timings.map(\.update)),
            correlators: correlatorSeconds, samplesPerSecond: Double(workload.samples) / perStep,
            peakMemoryMiB: peakMemoryMiB(), dgemmGFLOPS: dgemmRate(), networkGFLOPS: flops / forward / 1e9)
    }

    /// The timings of `steps` SR steps after `warmup` untimed ones, and the
    /// collectives and words the timed steps moved.
    private static func time<Model: WavefunctionModel, Chains: MetropolisHastings>(
        _ model: Model, _ sampler: Chains, _ workload: BenchmarkWorkload, warmup: Int, steps: Int
    ) throws -> ([StepTimings], (collectives: Int, words: Int)) where Chains.Density == BornDensity<Model> {
        var driver = VMCDriver(
            theory: ScalarTheory(lattice: model.lattice, massSquared: 1, coupling: 24), model: model, sampler: sampler,
            samplerState: sampler.initialState(sites: model.lattice.volume, seed: 1),
            optimizer: StochasticReconfiguration(learningRate: 0.05, diagonalShift: 1e-3),
            sweepsPerStep: workload.samples / workload.chains, discardSweeps: workload.discard,
            parallelism: sampler.settings.parallelism)
        try driver.thermalize(sweeps: 20)
        for _ in 0..<warmup { _ = try driver.step() }
        let before = Communicator.traffic
        let timings = try (0..<steps).map { _ in try driver.step().timings }
        let after = Communicator.traffic
        return (timings, (after.collectives - before.collectives, after.words - before.words))
    }

    /// GFLOP/s of a 1024 x 1024 x 1024 dgemm (median of 5).
    public static func dgemmRate() -> Double {
        let n = 1024
        let a = testBatch(samples: n, sites: n)
        var c = Matrix(rows: n, columns: n)
        let t = median((0..<5).map { _ in timed { gemm(.none, a, .transpose, a, into: &c) } })
        return 2 * Double(n * n * n) / t / 1e9
    }

    static func timed(_ body: () -> Void) -> Double {
        let start = ContinuousClock.now
        body()
        return seconds(since: start)
    }

    static func timedThrowing(_ body: () throws -> Void) rethrows -> Double {
        let start = ContinuousClock.now
        try body()
        return seconds(since: start)
    }

    static func median(_ values: [Double]) -> Double {
        let s = values.sorted()
        return s.isEmpty ? 0 : (s[(s.count - 1) / 2] + s[s.count / 2]) / 2
    }

    /// Reproducible N(0, 1) fields.
    static func testBatch(samples: Int, sites: Int) -> FieldBatch {
        var rng = RandomSource(seed: 99)
        var batch = FieldBatch(rows: samples, columns: sites)
        batch.storage.withUnsafeMutableBufferPointer { rng.fillNormal($0) }
        return batch
    }

    /// Peak resident set size of this process (getrusage), MiB.
    static func peakMemoryMiB() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Double(usage.ru_maxrss) / 1024  // Linux reports KiB
    }
}
