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
        let hidden = (c.ansatz.hidden ?? []).map(Double.init)
        /// Weights and biases of a dense network on `inputs`, and its output weights.
        func denseParameters(inputs: Double) -> Double {
            let widths = [inputs] + hidden
            return zip(widths, widths.dropFirst()).reduce(0) { $0 + $1.0 * $1.1 + $1.1 } + (hidden.last ?? 0)
        }
        var networkParameters = 0.0
        var perSampleScratch = 0.0  // doubles per sample inside one network chunk
        switch c.ansatz.kind {
        case .gaussian:
            break
        case .gaussianMLP:
            networkParameters = denseParameters(inputs: v)
            perSampleScratch = (hidden.first ?? 0) * v + 4 * hidden.reduce(0, +)
        case .symmetric:
            let k = extent.map { min(Double(c.ansatz.kernel ?? 3), $0) }.reduce(1, *)
            let cell = denseParameters(inputs: k)
            networkParameters = cell
            perSampleScratch = v * (k + cell + (hidden.first ?? 0) * k + 4 * hidden.reduce(0, +))
        }
        let p = gaussianParameters + networkParameters + 1
        parameters = p
        let n = Double(c.optimizer.samples)
        let chunk = min(n, 256)
        // Optimisation: fields, the log-derivatives, the SR system, network scratch.
        // Dense solves (min(N, P) <= 512) store O and its centred copy; conjugate
        // gradients keep O as it comes: factored for gaussian-mlp (per layer
        // delta and [z, 1], plus a product's temporaries), explicit otherwise.
        let dense = min(n, p) <= 512
        let srSystem = dense ? min(n, p) * min(n, p) : 4 * max(n, p)
        let logDerivatives: Double
        if dense {
            logDerivatives = 2 * n * p
        } else if c.ansatz.kind == .gaussianMLP {
            let widths = [v] + hidden
            logDerivatives = n * (gaussianParameters + 1 + (widths.last ?? 0) + 3 * widths.reduce(0, +) + Double(widths.count))
        } else {
            logDerivatives = n * p
        }
        let optimization = n * v + logDerivatives + srSystem + chunk * perSampleScratch
        // Evaluation: the Monte Carlo series of |phitilde_k|^2, phibar, g(r) and E_loc.
        let chains = Double(c.sampler.chains)
        let evaluation = Double(c.evaluation.samples) * (half + v + 2) + chains * perSampleScratch
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
