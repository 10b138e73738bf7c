import Foundation
import FourierTransform
import Lattice
import NeuralAnsatz
import SimulationConfig

/// The memory a run will need, estimated from its configuration before any work,
/// so a run that cannot fit is refused up front instead of dying hours in.
public struct MemoryEstimate: Sendable {
    /// Bytes the largest phase needs (optimisation or evaluation), plus a fixed margin.
    public let bytes: Int
    public let parameters: Int

    public init(configuration c: RunConfiguration) {
        let lattice = Lattice(extent: c.lattice.extent)
        let v = lattice.volume
        let half = HalfSpectrum(extent: lattice.extent).count
        let gaussianParameters = half  // at most one per half-spectrum element
        var networkParameters = 0
        var perSampleScratch = 0  // doubles per sample inside one network chunk
        let hidden = c.ansatz.hidden ?? []
        switch c.ansatz.kind {
        case .gaussian:
            break
        case .gaussianMLP:
            let net = MultilayerPerceptron(inputs: v, hidden: hidden, activation: .tanh)
            networkParameters = net.parameterCount
            perSampleScratch = (hidden.first ?? 0) * v + 4 * hidden.reduce(0, +)
        case .symmetric:
            let k = lattice.extent.map { min(c.ansatz.kernel ?? 3, $0) }.reduce(1, *)
            let cell = MultilayerPerceptron(inputs: k, hidden: hidden, activation: .tanh)
            networkParameters = cell.parameterCount
            perSampleScratch = v * (k + cell.parameterCount + (hidden.first ?? 0) * k + 4 * hidden.reduce(0, +))
        }
        let p = gaussianParameters + networkParameters + 1
        parameters = p
        let n = c.optimizer.samples
        let chunk = min(n, 256)
        // Optimisation: fields, the log-derivatives, the SR system, network scratch.
        // Dense solves (min(N, P) <= 512) store O and its centred copy; conjugate
        // gradients keep O as it comes: factored for gaussian-mlp (per layer
        // delta and [z, 1], plus a product's temporaries), explicit otherwise.
        let dense = min(n, p) <= 512
        let srSystem = dense ? min(n, p) * min(n, p) : 4 * max(n, p)
        let logDerivatives: Int
        if dense {
            logDerivatives = 2 * n * p
        } else if c.ansatz.kind == .gaussianMLP {
            let widths = [v] + hidden
            logDerivatives = n * (gaussianParameters + 1 + widths.last! + 3 * widths.reduce(0, +) + widths.count)
        } else {
            logDerivatives = n * p
        }
        let optimization = n * v + logDerivatives + srSystem + chunk * perSampleScratch
        // Evaluation: the Monte Carlo series of |phitilde_k|^2, phibar, g(r) and E_loc.
        let evaluation = c.evaluation.samples * (half + v + 2) + c.sampler.chains * perSampleScratch
        bytes = 8 * max(optimization, evaluation) + (64 << 20)
    }

    /// Physical memory of this machine in bytes.
    public static var physicalMemory: Int {
        Int(sysconf(Int32(_SC_PHYS_PAGES))) * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    public static func gibibytes(_ bytes: Int) -> String { String(format: "%.2f GiB", Double(bytes) / Double(1 << 30)) }
}
