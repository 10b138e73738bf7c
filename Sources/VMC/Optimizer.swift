import LinearAlgebra

/// What an optimizer sees of one VMC step: the log-derivatives
/// `O_{b,p} = d log psi(phi_b)/d theta_p` and local energies `E_b` of `N` samples
/// drawn from `|psi|^2`.
public struct EnergySamples: Sendable {
    public let logDerivatives: Matrix
    public let localEnergies: [Double]

    public init(logDerivatives: Matrix, localEnergies: [Double]) {
        precondition(logDerivatives.rows == localEnergies.count)
        self.logDerivatives = logDerivatives
        self.localEnergies = localEnergies
    }

    /// `N` samples.
    public var count: Int { localEnergies.count }

    /// `O - <O>`, the centred log-derivatives.
    public var centredLogDerivatives: Matrix {
        let n = logDerivatives.rows, p = logDerivatives.columns
        var mean = [Double](repeating: 0, count: p)
        var centred = logDerivatives
        centred.storage.withUnsafeMutableBufferPointer { o in
            for b in 0..<n { for q in 0..<p { mean[q] += o[b * p + q] } }
            for q in 0..<p { mean[q] /= Double(n) }
            for b in 0..<n { for q in 0..<p { o[b * p + q] -= mean[q] } }
        }
        return centred
    }

    /// The force `F_p = <(O_p - <O_p>) (E - <E>)>`; the energy gradient is
    /// `dE/d theta_p = 2 F_p` for a real wavefunction.
    public func force(centred: Matrix) -> [Double] {
        let n = Double(count)
        let meanEnergy = localEnergies.reduce(0, +) / n
        let deviations = localEnergies.map { ($0 - meanEnergy) / n }
        var f = [Double](repeating: 0, count: centred.columns)
        gemv(.transpose, centred, deviations, into: &f)
        return f
    }
}

/// A rule that turns one step's samples into a parameter update.
public protocol Optimizer: Sendable {
    /// The learning rate used by the next update.
    var learningRate: Double { get }
    /// Updates `parameters` in place from the step's samples.
    mutating func update(_ parameters: inout [Double], from samples: EnergySamples) throws
    /// Multiplies the learning rate (its whole schedule) by `factor`, e.g. after a divergence.
    mutating func scaleLearningRate(by factor: Double)
}
