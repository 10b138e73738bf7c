import Foundation
import SimulationConfig

/// The memory a run will need, estimated from its configuration before any work,
/// so a run that cannot fit is refused up front instead of dying hours in.
///
/// Counted in floating point: a config may ask for sizes whose product
/// overflows an integer (10^6 sites x 4096 hidden units x 1024 chains), and must
/// be refused, never trap.
public struct MemoryEstimate: Sendable {
    /// Bytes the largest phase needs (optimisation, evaluation or writing the
    /// checkpoint), plus a fixed margin.
    public let bytes: Double
    /// Variational parameters (in floating point, for the same reason).
    public let parameters: Double

    /// Doubles of one checkpoint per chain field element while it is written:
    /// the fields, their bytes, base64 text (4/3) in the encoder and in the file's data.
    static let checkpointFactor = 1 + 1 + 3 * 4.0 / 3

    public init(configuration c: RunConfiguration) {
        let extent = c.lattice.extent.map(Double.init)
        let v = extent.reduce(1, *)
        // The half spectrum: L_d / 2 + 1 in the last direction.
        let half = extent.dropLast().reduce(1, *) * ((extent.last ?? 1) / 2).rounded(.down) + extent.dropLast().reduce(1, *)
        let gaussianParameters = half  // at most one per half-spectrum element
        let size = c.ansatz.kind.factory.size(c)
        let p = gaussianParameters + size.networkParameters + 1
        parameters = p
        let n = Double(c.optimizer.samples)
        let chunk = min(n, 256)
        // Optimisation: fields, the log-derivatives, the SR system, network scratch.
        // Dense solves (min(N, P) <= 512) store O and its centred copy; conjugate
        // gradients keep O as it comes: factored where the ansatz allows, else explicit.
        let dense = min(n, p) <= 512
        let srSystem = dense ? min(n, p) * min(n, p) : 4 * max(n, p)
        let logDerivatives = dense
            ? 2 * n * p : n * (size.factoredLogDerivativesPerSample.map { gaussianParameters + $0 } ?? p)
        let perSampleScratch = size.scratchPerSample
        // The chains' fields while they are sampled: the state, its parts on the
        // threads and their join, and one snapshot per sweep of a block of up to 16.
        let chains = Double(c.sampler.chains)
        func chainCopies(sweeps: Double) -> Double { chains * v * (3 + min(16, sweeps)) }
        let optimization = n * v + logDerivatives + srSystem + chunk * perSampleScratch + chainCopies(sweeps: n / chains)
        // Evaluation: the Monte Carlo series of |phitilde_k|^2, phibar, g(r) and
        // the order parameter's three moments, with the Gamma method's copy of
        // their fluctuations, and of E_loc; with an error target, up to its cap.
        let samples = Double(c.evaluation.sampleCap)
        let evaluation = samples * (2 * (half + v + 1 + 3) + 1) + chains * perSampleScratch
            + chainCopies(sweeps: samples / chains)
        // The checkpoint beside either: the chains' fields (and MALA's gradients)
        // and the parameters with an optimiser's moments, while they are encoded.
        let chainState = chains * v * (c.sampler.kind == .mala ? 2 : 1)
        let checkpoint = Self.checkpointFactor * (chainState + 3 * p)
        bytes = 8 * (max(optimization, evaluation) + checkpoint) + Double(64 << 20)
    }

    /// Physical memory of this machine in bytes.
    public static var physicalMemory: Double {
        Double(sysconf(Int32(_SC_PHYS_PAGES))) * Double(sysconf(Int32(_SC_PAGESIZE)))
    }

    public static func gibibytes(_ bytes: Double) -> String { String(format: "%.3g GiB", bytes / Double(1 << 30)) }
}
