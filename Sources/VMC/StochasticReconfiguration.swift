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
public struct StochasticReconfiguration: Optimizer, Codable {
    public var learningRateSchedule: Schedule
    public var diagonalShiftSchedule: Schedule
    /// Updates made so far: the position in the schedules.
    public private(set) var updates = 0

    public init(learningRate: Schedule, diagonalShift: Schedule) {
        precondition(learningRate.initial > 0)
        learningRateSchedule = learningRate
        diagonalShiftSchedule = diagonalShift
    }

    public init(learningRate: Double, diagonalShift: Double) {
        self.init(learningRate: .constant(learningRate), diagonalShift: .constant(diagonalShift))
    }

    public var learningRate: Double { learningRateSchedule.value(at: updates) }
    public var diagonalShift: Double { diagonalShiftSchedule.value(at: updates) }

    public mutating func update(_ parameters: inout [Double], from samples: EnergySamples) throws {
        let direction = try naturalGradient(samples)
        let eta = learningRate
        for p in parameters.indices { parameters[p] -= eta * direction[p] }
        updates += 1
    }

    /// `delta = (S + epsilon I)^{-1} F`, in parameter or sample space, whichever is smaller.
    public func naturalGradient(_ samples: EnergySamples) throws -> [Double] {
        let centred = samples.centredLogDerivatives
        let n = samples.count, p = centred.columns
        if p <= n {
            var s = Matrix(rows: p, columns: p)
            gemm(.transpose, centred, .none, centred, alpha: 1 / Double(n), into: &s)
            for q in 0..<p { s[q, q] += diagonalShift }
            return try choleskySolve(s, samples.force(centred: centred))
        }
        var t = Matrix(rows: n, columns: n)
        gemm(.none, centred, .transpose, centred, alpha: 1 / Double(n), into: &t)
        for b in 0..<n { t[b, b] += diagonalShift }
        let meanEnergy = samples.localEnergies.reduce(0, +) / Double(n)
        let y = try choleskySolve(t, samples.localEnergies.map { ($0 - meanEnergy) / Double(n) })
        var direction = [Double](repeating: 0, count: p)
        gemv(.transpose, centred, y, into: &direction)
        return direction
    }
}
