import ArgumentParser
import Foundation
import Output
import Parallelism
import Simulation

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time fixed VMC workloads (release build): seconds per step and where they go.",
        discussion: """
            Workloads (phi^4, m2 = 1, lambda = 24; Gaussian x one-layer tanh network; Metropolis \
            with V proposals per sample, each moving every site; SR): W1 L=32 H=64 4096 samples; \
            W2 8x8 H=128 4096; W3 L=8 H=16 4096; W4 6x6x6 H=64 1024. W1s-W4s: the same with \
            single-site proposals (O(H) per proposal instead of O(V H)); L16s, when named: 16^3, H=32, 1024 \
            samples, single-site. Under mpirun the step is split over the ranks (rank 0 prints). Each step's time is split into sampling, \
            local energy (with the parameter gradients, one pass of the model for both), assembling \
            the gradients and the SR update; the FFTW correlator cost of \
            one step's samples, the machine's dgemm rate and the network's FLOP rate are \
            measured beside it. Times are medians over the timed steps. Euclidean workloads, at \
            the settings of the JAX peers: H32 and H64, HMC (leapfrog, trajectory length 1, 16 \
            chains) on the flow papers' line m^2 = -4 at L = 32 and 64, trajectories per second; \
            F8, one training step of the tutorial's flow (L = 8, 16 couplings 1-8-8-2, batch 64).
            """)

    @Option(name: .long, parsing: .upToNextOption, help: "Workloads to run (W1 ... W4, W1s ... W4s; L16s, H32, H64, F8 when named; default: W1 ... W4s).")
    var workload: [String] = BenchmarkWorkload.all.map(\.name)

    @Option(name: .long, help: "Untimed warm-up steps.")
    var warmup = 2

    @Option(name: .long, help: "Timed steps (the median is reported).")
    var steps = 5

    @Option(name: .long, help: "Threads: chains and sample blocks split over them (OpenBLAS itself runs on one).")
    var threads = 1

    @Option(name: .long, help: "Also write the results as JSON to this file: an array of the VMC workloads' results, or with Euclidean workloads an object {vmc, euclidean}.")
    var json: String?

    func validate() throws {
        let known = Set((BenchmarkWorkload.all + BenchmarkWorkload.large).map(\.name) + EuclideanBenchmark.names)
        for w in workload where !known.contains(w) {
            throw ValidationError("unknown workload '\(w)'; allowed: \(known.sorted().joined(separator: ", "))")
        }
        guard warmup >= 0, steps >= 1, threads >= 1 else { throw ValidationError("--warmup >= 0, --steps >= 1, --threads >= 1") }
    }

    /// A line of the table: rank 0's only (every rank times the same steps).
    private func report(_ line: String) {
        if Job.isLeader { print(line) }
    }

    func run() throws {
        // Refuse an unwritable --json before the benchmark, not after it.
        if let json {
            do {
                try AtomicFile.write(Data(), to: URL(fileURLWithPath: json))
            } catch {
                printError("nqft bench: --json: cannot write \(error)")
                throw ExitCode(2)
            }
        }
        let parallelism = Parallelism(threads: threads, ranks: Job.start())
        var results: [BenchmarkResult] = []
        let vmc = (BenchmarkWorkload.all + BenchmarkWorkload.large).filter { workload.contains($0.name) }
        if !vmc.isEmpty {
            let ranks = parallelism.ranks.size > 1
            report("workload  params  s/step   sampling  E_loc    grad     SR       corr     samples/s  MiB    dgemm GF/s  net GF/s"
                + (ranks ? "  MPI coll/step  MB/step" : ""))
            for w in vmc {
                let r = try Benchmark.run(w, warmup: warmup, steps: steps, parallelism: parallelism)
                results.append(r)
                report(String(
                    format: "%-8@  %6d  %7.4f  %7.4f  %7.4f  %7.4f  %7.4f  %7.4f  %9.0f  %5.0f  %10.1f  %8.1f",
                    w.name, r.parameters, r.secondsPerStep, r.sampling, r.localEnergy, r.parameterGradient, r.update,
                    r.correlators, r.samplesPerSecond, r.peakMemoryMiB, r.dgemmGFLOPS, r.networkGFLOPS)
                    + (ranks ? String(format: "  %13.0f  %7.3f", r.collectivesPerStep, r.communicatedMBPerStep) : ""))
            }
        }
        var euclidean: [EuclideanBenchmark] = []
        let names = EuclideanBenchmark.names.filter(workload.contains)
        if !names.isEmpty { report("\nworkload  unit            s/unit     units/s  MD steps") }
        for name in names {
            let r = try EuclideanBenchmark.run(name, repeats: steps, parallelism: parallelism)
            euclidean.append(r)
            report(String(format: "%-8@  %-14@  %9.3e  %9.1f  %@", name, r.unit, r.secondsPerUnit, r.unitsPerSecond,
                         r.stepsPerTrajectory.map { "\($0)" } ?? "-"))
        }
        if let json, Job.isLeader {
            let url = URL(fileURLWithPath: json)
            if euclidean.isEmpty {
                try AtomicFile.write(JSONOutput.encode(results), to: url)
            } else {
                try AtomicFile.write(JSONOutput.encode(BenchmarkReport(vmc: results, euclidean: euclidean)), to: url)
            }
        }
    }
}

/// `nqft bench --json`: the VMC workloads' results and the Euclidean ones.
struct BenchmarkReport: Encodable {
    var vmc: [BenchmarkResult]
    var euclidean: [EuclideanBenchmark]
}
