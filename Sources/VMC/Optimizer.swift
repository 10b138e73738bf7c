import LinearAlgebra
import NeuralAnsatz
import Parallelism

/// What an optimizer sees of one VMC step: the log-derivatives
/// `O_{b,p} = d log psi(phi_b)/d theta_p` and local energies `E_b` of `N` samples
/// drawn from `|psi|^2`. Over MPI ranks, each rank holds its own blocks'
/// samples only (`LogDerivatives.share`): their log-derivatives and local energies.
public struct EnergySamples: Sendable {
    public let logDerivatives: LogDerivatives
    /// This rank's samples' local energies, block after block (all `N` in one process).
    public let localEnergies: [Double]
    /// `N` samples over all ranks.
    public let count: Int
    /// `<E>` over all ranks (an exact sum).
    public let meanEnergy: Double

    /// A collective over `logDerivatives.parallelism`'s ranks.
    public init(logDerivatives: LogDerivatives, localEnergies: [Double]) {
        precondition(logDerivatives.localRows == localEnergies.count)
        self.logDerivatives = logDerivatives
        self.localEnergies = localEnergies
        count = logDerivatives.rows
        meanEnergy = logDerivatives.parallelism.totals([localEnergies])[0] / Double(count)
    }

    public init(logDerivatives: Matrix, localEnergies: [Double]) {
        self.init(logDerivatives: LogDerivatives(dense: logDerivatives), localEnergies: localEnergies)
    }

    /// `O_k - <O>` of a block of log-derivatives.
    private static func centred(_ block: ParameterJacobian, _ mean: [Double]) -> Matrix {
        var centred = block.dense
        let p = centred.columns
        centred.storage.withUnsafeMutableBufferPointer { o in
            for b in 0..<block.rows { for q in 0..<p { o[b * p + q] -= mean[q] } }
        }
        return centred
    }

    /// `f(O_k - <O>)` for every row block `k` of the centred log-derivatives,
    /// each on the rank holding the block, all results on every rank in block order.
    public func mapCentredBlocks<T: RankPackable>(_ f: @Sendable @escaping (Matrix) -> T) -> [T] {
        let mean = logDerivatives.columnMeans
        return logDerivatives.mapBlocks { _, block in f(Self.centred(block, mean)) }
    }

    /// `sum_k f(O_k - <O>)` over the row blocks, each term where its block is, added exactly.
    public func sumOverCentredBlocks(length: Int, _ f: @Sendable @escaping (Matrix) -> [Double]) -> [Double] {
        let mean = logDerivatives.columnMeans
        return logDerivatives.sumOverBlocks(length: length) { _, block in f(Self.centred(block, mean)) }
    }

    /// `O - <O>` as one `N x P` matrix (on every rank).
    public var centredLogDerivatives: Matrix {
        let blocks = mapCentredBlocks { $0 }
        return Matrix(rows: count, columns: logDerivatives.columns, storage: blocks.flatMap(\.storage))
    }

    /// `(E - <E>) / N` of this rank's samples.
    public var energyDeviations: [Double] {
        let (n, mean) = (Double(count), meanEnergy)
        return localEnergies.map { ($0 - mean) / n }
    }

    /// `(E - <E>) / N` of all `N` samples, on every rank (a gather, for the
    /// sample-space solve).
    public var allEnergyDeviations: [Double] {
        let deviations = energyDeviations
        return logDerivatives.mapLocalSlices { Array(deviations[$0]) }.flatMap { $0 }
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
