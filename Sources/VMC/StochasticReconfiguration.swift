import LinearAlgebra

/// Stochastic reconfiguration (S. Sorella, Phys. Rev. Lett. 80 (1998) 4558): the
/// natural-gradient step, an Euler step of imaginary-time evolution projected
/// onto the variational manifold,
///
///     theta -= eta (S + epsilon I)^{-1} F,
///     S_{pq} = <(O_p - <O_p>)(O_q - <O_q>)>,   F_p = <(O_p - <O_p>)(E - <E>)>,
///
/// with the diagonal shift `epsilon` regularising the sample estimate of `S`.
/// `S + epsilon I` is solved by a Cholesky factorisation (LAPACK dposv).
public struct StochasticReconfiguration: Optimizer {
    public var learningRate: Double
    public var diagonalShift: Double

    public init(learningRate: Double, diagonalShift: Double) {
        precondition(learningRate > 0 && diagonalShift >= 0)
        self.learningRate = learningRate
        self.diagonalShift = diagonalShift
    }

    public mutating func update(_ parameters: inout [Double], from samples: EnergySamples) throws {
        let centred = samples.centredLogDerivatives
        var s = Matrix(rows: centred.columns, columns: centred.columns)
        gemm(.transpose, centred, .none, centred, alpha: 1 / Double(samples.count), into: &s)
        for p in 0..<s.rows { s[p, p] += diagonalShift }
        let direction = try choleskySolve(s, samples.force(centred: centred))
        for p in parameters.indices { parameters[p] -= learningRate * direction[p] }
    }
}
