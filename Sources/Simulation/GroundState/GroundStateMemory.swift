import Foundation
import SimulationConfig

extension MemoryEstimate {
    /// A variational run's largest phase: the optimisation (fields, the
    /// log-derivatives, the SR system, network scratch, the chains) or the
    /// evaluation (its Monte Carlo series), with the checkpoint beside it.
    public init(configuration c: GroundStateConfiguration) {
        let extent = c.lattice.extent.map(Double.init)
        let v = extent.reduce(1, *)
        // The half spectrum: L_d / 2 + 1 in the last direction.
        let half = extent.dropLast().reduce(1, *) * ((extent.last ?? 1) / 2).rounded(.down) + extent.dropLast().reduce(1, *)
        let gaussianParameters = half  // at most one per half-spectrum element
        let size = c.ansatz.kind.factory.size(c)
        let p = gaussianParameters + size.networkParameters + 1
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
        // The checkpoint beside either while it is encoded: the chains' fields (and
        // MALA's gradients) and the parameters with an optimiser's moments; during
        // the evaluation also its own chains and its records so far.
        let chainState = chains * v * (c.sampler.kind == .mala ? 2 : 1)
        let series = samples * (half + v + 1 + 3 + 1)
        let checkpoint = Self.checkpointFactor * (chainState + 3 * p)
        let evaluationCheckpoint = Self.checkpointFactor * (2 * chainState + 3 * p + series)
        self.init(
            bytes: 8 * max(optimization + checkpoint, evaluation + evaluationCheckpoint) + Self.margin,
            detail: String(format: "%.4g parameters, optimizer.samples = %d, evaluation.samples = %d", p, c.optimizer.samples, c.evaluation.samples),
            parameters: p)
    }

}
