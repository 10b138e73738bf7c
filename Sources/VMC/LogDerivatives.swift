import LinearAlgebra
import NeuralAnsatz
import Parallelism

/// The log-derivatives `O_{b,p} = d log psi(phi_b) / d theta_p` of a step's `N`
/// samples, held as consecutive row blocks (`workBlocks`, each a factored
/// `ParameterJacobian`), so the products SR needs run on the threads in parallel:
/// `O v` block by block, `O^T u` as a sum of the blocks' parts, added in block
/// order (the result does not depend on the number of threads).
public struct LogDerivatives: Sendable {
    public let blocks: [ParameterJacobian]
    /// `N`.
    public let rows: Int
    /// `P`.
    public let columns: Int
    /// Threads the blocks are split over.
    public let parallelism: Parallelism

    public init(blocks: [ParameterJacobian], parallelism: Parallelism = .serial) {
        precondition(!blocks.isEmpty && blocks.allSatisfy { $0.columns == blocks[0].columns })
        self.blocks = blocks
        self.parallelism = parallelism
        rows = blocks.reduce(0) { $0 + $1.rows }
        columns = blocks[0].columns
    }

    public init(dense: Matrix) { self.init(blocks: [ParameterJacobian(dense: dense)]) }

    /// The first row of each block, and `N` at the end.
    private var offsets: [Int] { blocks.reduce(into: [0]) { $0.append($0.last! + $1.rows) } }

    /// `f(block)` for every block, concurrently.
    private func eachBlock<T: Sendable>(_ f: @Sendable (Int, ParameterJacobian) -> T) -> [T] {
        let blocks = self.blocks
        return parallelism.map(blocks.count) { f($0, blocks[$0]) }
    }

    /// Adds the blocks' vectors in block order.
    private func sum(_ parts: [[Double]]) -> [Double] {
        var total = parts[0]
        for part in parts.dropFirst() { for q in total.indices { total[q] += part[q] } }
        return total
    }

    /// `O v` (`N` values).
    public func apply(_ v: [Double]) -> [Double] {
        eachBlock { _, block in block.apply(v) }.flatMap { $0 }
    }

    /// `O^T u` (`P` values).
    public func applyTranspose(_ u: [Double]) -> [Double] {
        let offsets = self.offsets
        return sum(eachBlock { k, block in block.applyTranspose(Array(u[offsets[k]..<offsets[k + 1]])) })
    }

    /// `<O_p>`.
    public var columnMeans: [Double] {
        applyTranspose([Double](repeating: 1 / Double(rows), count: rows))
    }

    /// The blocks' Gram statistics summed over all rows (`ParameterJacobian.gramBlocks`).
    public func gramBlocks(denseLimit: Int) -> [ParameterJacobian.GramBlock] {
        let parts = eachBlock { _, block in block.gramBlocks(denseLimit: denseLimit) }
        return parts.dropFirst().reduce(parts[0]) { sum, part in zip(sum, part).map { $0.adding($1) } }
    }
}
