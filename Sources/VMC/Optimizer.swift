import LinearAlgebra

/// What an optimizer sees of one VMC step: the log-derivatives
/// `O_{b,p} = d log psi(phi_b)/d theta_p` and local energies `E_b` of `N` samples
/// drawn from `|psi|^2`.
public struct EnergySamples: Sendable {
    public let logDerivatives: LogDerivatives
    public let localEnergies: [Double]

    public init(logDerivatives: LogDerivatives, localEnergies: [Double]) {
        precondition(logDerivatives.rows == localEnergies.count)
        self.logDerivatives = logDerivatives
        self.localEnergies = localEnergies
    }

    public init(logDerivatives: Matrix, localEnergies: [Double]) {
        self.init(logDerivatives: LogDerivatives(dense: logDerivatives), localEnergies: localEnergies)
    }

    /// `N` samples.
    public var count: Int { localEnergies.count }

    /// `O - <O>`, the centred log-derivatives, as explicit matrices, one per
    /// block of `logDerivatives` (computed concurrently).
    public var centredLogDerivativeBlocks: [Matrix] {
        let mean = logDerivatives.columnMeans
        let blocks = logDerivatives.blocks
        return logDerivatives.parallelism.map(blocks.count) { k in
            var centred = blocks[k].dense
            let p = centred.columns
            centred.storage.withUnsafeMutableBufferPointer { o in
                for b in 0..<blocks[k].rows { for q in 0..<p { o[b * p + q] -= mean[q] } }
            }
            return centred
        }
    }

    /// `O - <O>` as one `N x P` matrix.
    public var centredLogDerivatives: Matrix {
        let blocks = centredLogDerivativeBlocks
        return Matrix(rows: count, columns: blocks[0].columns, storage: blocks.flatMap(\.storage))
    }

    /// `E - <E>`, divided by `N`.
    public var energyDeviations: [Double] {
        let n = Double(count)
        let meanEnergy = localEnergies.reduce(0, +) / n
        return localEnergies.map { ($0 - meanEnergy) / n }
    }

    /// The force `F_p = <(O_p - <O_p>) (E - <E>)> = O^T (E - <E>) / N` (the
    /// deviations sum to zero, so `O` needs no centring); the energy gradient is
    /// `dE/d theta_p = 2 F_p` for a real wavefunction.
    public var force: [Double] { logDerivatives.applyTranspose(energyDeviations) }
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
