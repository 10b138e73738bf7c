import Optimizers
import LinearAlgebra

/// Stochastic reconfiguration (S. Sorella, Phys. Rev. Lett. 80 (1998) 4558): the
/// natural-gradient step, an Euler step of imaginary-time evolution projected
/// onto the variational manifold,
///
///     theta -= eta (S + epsilon I)^{-1} F,
///     S_{pq} = <(O_p - <O_p>)(O_q - <O_q>)>,   F_p = <(O_p - <O_p>)(E - <E>)>,
///
/// with the diagonal shift `epsilon` regularising the sample estimate of `S`.
/// With `N` samples and `P` parameters, `S = Oc^T Oc / N` has rank at most `N`,
/// and the solve is done where it is cheaper, both by Cholesky (LAPACK dposv):
/// - `P <= N`: in parameter space, `(S + epsilon I) delta = F` (`P x P`);
/// - `P > N`: in sample space (MinSR, Chen and Heyl, Nat. Phys. 20 (2024) 1476),
///   by the push-through identity
///   `(Oc^T Oc/N + epsilon I)^{-1} Oc^T e/N = Oc^T (Oc Oc^T/N + epsilon I)^{-1} e/N`
///   with `e = E - <E>` (`N x N`). Both give the same `delta`.
/// When both `N` and `P` exceed `denseLimit` (512, NetKet's rule) forming either
/// matrix costs O(N P min(N, P)); then the system is solved by conjugate gradients
/// (block-diagonal K-FAC preconditioner) on the matrix-free `S v = Oc^T (Oc v) / N`
/// (at most O(N P) per iteration), warm-started from the previous step's solution.
public struct StochasticReconfiguration: Optimizer, Codable {
    public var learningRateSchedule: Schedule
    public var diagonalShiftSchedule: Schedule
    /// Updates made so far: the position in the schedules.
    public private(set) var updates = 0
    /// Largest `min(N, P)` solved with a dense Cholesky factorisation.
    public var denseLimit = 512
    /// Conjugate-gradient stopping rule: relative residual and iteration cap.
    public var cgTolerance = 1e-6
    public var cgMaxIterations = 50
    /// The last conjugate-gradient solution, the next solve's starting point.
    public private(set) var lastDirection: [Double] = []
    /// Trust region: an update whose largest component exceeds this is scaled down
    /// to it (direction kept). Far from the optimum the Euler step of imaginary-time
    /// evolution can overshoot by orders of magnitude (a Gaussian frequency started
    /// at 1 with omega^2 = 8 and eta = 0.3 jumps to 8.4, then back to 0.9, ...);
    /// near it the steps are small and the bound is inactive. nil: no bound.
    public var maximumStep: Double?

    public init(learningRate: Schedule, diagonalShift: Schedule) {
        precondition(learningRate.initial > 0)
        learningRateSchedule = learningRate
        diagonalShiftSchedule = diagonalShift
    }

    public init(learningRate: Double, diagonalShift: Double) {
        self.init(learningRate: .constant(learningRate), diagonalShift: .constant(diagonalShift))
    }

    public var learningRate: Double { learningRateSchedule.value(at: updates) }

    public mutating func scaleLearningRate(by factor: Double) {
        learningRateSchedule = learningRateSchedule.scaled(by: factor)
    }
    public var diagonalShift: Double { diagonalShiftSchedule.value(at: updates) }

    public mutating func update(_ parameters: inout [Double], from samples: EnergySamples) throws {
        let direction = try naturalGradient(samples)
        var eta = learningRate
        if let bound = maximumStep {
            let largest = direction.reduce(0) { max($0, abs($1)) }
            let step = largest * eta
            if step.isFinite {
                if step > bound { eta *= bound / step }
            } else {
                eta = bound / largest  // eta * largest overflowed (an absurd eta); this cannot
            }
        }
        for p in parameters.indices { parameters[p] -= eta * direction[p] }
        updates += 1
    }

    /// `delta = (S + epsilon I)^{-1} F`: dense in parameter or sample space,
    /// whichever is smaller, or by conjugate gradients when both are large.
    public mutating func naturalGradient(_ samples: EnergySamples) throws -> [Double] {
        let n = samples.count, p = samples.logDerivatives.columns
        if min(n, p) > denseLimit {
            let start = lastDirection.count == p ? lastDirection : [Double](repeating: 0, count: p)
            lastDirection = try conjugateGradient(samples, start: start)
            return lastDirection
        }
        if p <= n {
            // S = sum over sample blocks of Oc_k^T Oc_k / N, the blocks' products
            // concurrent (threads and ranks), lower triangles only (all dposv
            // reads), packed row by row and added exactly (the exact sum is as
            // costly as the products: packing halves it).
            let lower = samples.sumOverCentredBlocks(length: p * (p + 1) / 2) { centred in
                var part = Matrix(rows: p, columns: p)
                syrkLower(.none, centred, into: &part)
                return (0..<p).flatMap { i in part.storage[(i * p)...(i * p + i)] }
            }
            var s = Matrix(rows: p, columns: p)
            let shift = diagonalShift
            s.storage.withUnsafeMutableBufferPointer { s in
                for i in 0..<p {
                    let packed = i * (i + 1) / 2
                    for j in 0...i { s[i * p + j] = lower[packed + j] / Double(n) }
                    s[i * p + i] += shift
                }
            }
            return try choleskySolve(s, samples.force)
        }
        let centred = samples.centredLogDerivatives
        var t = Matrix(rows: n, columns: n)
        syrkLower(.transpose, centred, alpha: 1 / Double(n), into: &t)
        for b in 0..<n { t[b, b] += diagonalShift }
        let y = try choleskySolve(t, samples.allEnergyDeviations)
        var direction = [Double](repeating: 0, count: p)
        gemv(.transpose, centred, y, into: &direction)
        return direction
    }

    /// Solves `(Oc^T Oc / N + epsilon I) x = F` by preconditioned conjugate
    /// gradients (Saad, Iterative Methods for Sparse Linear Systems, alg. 9.1;
    /// preconditioner: `BlockPreconditioner`), never forming `S` or `Oc = O - 1 <O>^T`:
    /// `Oc v = O v - (<O> . v) 1`, and `Oc^T w = O^T w` for that `w`, whose
    /// entries sum to zero. With the factored Jacobian of a dense network this is
    /// four small gemm per iteration (see `ParameterJacobian`), split over
    /// threads and ranks by sample blocks, one exact `P`-vector sum per iteration
    /// (`LogDerivatives.gramApply`).
    private func conjugateGradient(_ samples: EnergySamples, start: [Double]) throws -> [Double] {
        let o = samples.logDerivatives
        let n = Double(samples.count), p = o.columns
        let shift = diagonalShift
        let mean = o.columnMeans
        let preconditioner = try BlockPreconditioner(o, mean: mean, shift: shift)
        func apply(_ v: [Double]) -> [Double] {
            zip(o.gramApply(v, shift: dot(mean, v)), v).map { $0 / n + shift * $1 }
        }
        func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }
        let f = samples.force
        var x = start
        var r = zip(f, apply(x)).map { $0 - $1 }
        var z = preconditioner.apply(r)
        var d = z
        var rz = dot(r, z)
        let target = cgTolerance * dot(f, f).squareRoot()
        for _ in 0..<cgMaxIterations {
            if dot(r, r).squareRoot() <= target { break }
            let ad = apply(d)
            let alpha = rz / dot(d, ad)
            for q in 0..<p {
                x[q] += alpha * d[q]
                r[q] -= alpha * ad[q]
            }
            z = preconditioner.apply(r)
            let next = dot(r, z)
            let beta = next / rz
            rz = next
            for q in 0..<p { d[q] = z[q] + beta * d[q] }
        }
        return x
    }
}
