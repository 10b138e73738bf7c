import LinearAlgebra
import NeuralAnsatz
import Parallelism

/// The log-derivatives `O_{b,p} = d log psi(phi_b) / d theta_p` of a step's `N`
/// samples, held as row blocks (each a factored `ParameterJacobian`; in a VMC
/// step, the samples of one fixed group of chains). Each rank holds its share
/// of the blocks only, and they never leave it: every product SR needs is a sum
/// over blocks of what each block gives, computed on the block's rank and
/// thread and added exactly (`Parallelism.sum`), so results do not depend on
/// the number of threads or ranks, and a rank sends `3 P` integers per product
/// whatever the number of samples.
public struct LogDerivatives: Sendable {
    /// The rows of every block, on every rank, in order.
    public let rowBlocks: [Range<Int>]
    /// Which blocks this rank holds (the ranks' shares are contiguous, in rank order).
    public let share: Range<Int>
    /// This rank's blocks: `rowBlocks[share]`.
    public let blocks: [ParameterJacobian]
    /// `N`.
    public let rows: Int
    /// `P`.
    public let columns: Int
    /// Threads and ranks the blocks are split over.
    public let parallelism: Parallelism

    /// `blocks` are this rank's blocks `share` of the blocks `rowBlocks`.
    public init(rowBlocks: [Range<Int>], share: Range<Int>, blocks: [ParameterJacobian], columns: Int, parallelism: Parallelism) {
        precondition(blocks.count == share.count)
        precondition(blocks.allSatisfy { $0.columns == columns })
        self.rowBlocks = rowBlocks
        self.share = share
        self.blocks = blocks
        self.parallelism = parallelism
        rows = rowBlocks.reduce(0) { $0 + $1.count }
        self.columns = columns
    }

    /// Every block on this one process, their rows in order.
    public init(blocks: [ParameterJacobian], parallelism: Parallelism = .serial) {
        precondition(!blocks.isEmpty && parallelism.ranks.size == 1)
        let rowBlocks = blocks.reduce(into: [Range<Int>]()) { ranges, block in
            let start = ranges.last?.upperBound ?? 0
            ranges.append(start..<(start + block.rows))
        }
        self.init(rowBlocks: rowBlocks, share: 0..<blocks.count, blocks: blocks, columns: blocks[0].columns, parallelism: parallelism)
    }

    public init(dense: Matrix) { self.init(blocks: [ParameterJacobian(dense: dense)]) }

    /// This rank's block `k` (of all blocks).
    private func block(_ k: Int) -> ParameterJacobian {
        blocks[k - share.lowerBound]
    }

    /// This rank's samples: its blocks' rows.
    public var localRows: Int { blocks.reduce(0) { $0 + $1.rows } }

    /// Where block `k` of this rank lies in a vector over this rank's samples.
    private func localSlice(_ k: Int) -> Range<Int> {
        let start = rowBlocks[share.lowerBound..<k].reduce(0) { $0 + $1.count }
        return start..<(start + rowBlocks[k].count)
    }

    /// `f(slice)` for each block with the block's slice of a vector over this
    /// rank's samples, gathered onto every rank in block order.
    public func mapLocalSlices<T: RankPackable>(_ f: @Sendable (Range<Int>) -> T) -> [T] {
        parallelism.distributedMap(rowBlocks.count, share: share) { k in f(localSlice(k)) }
    }

    /// `f(rows, block)` for every block, each computed on the rank holding the
    /// block, all results on every rank in block order (a gather: for what
    /// must be whole on every rank, such as MinSR's `N x N` kernel).
    public func mapBlocks<T: RankPackable>(_ f: @Sendable (Range<Int>, ParameterJacobian) -> T) -> [T] {
        let rowBlocks = self.rowBlocks
        return parallelism.distributedMap(rowBlocks.count, share: share) { k in f(rowBlocks[k], block(k)) }
    }

    /// `sum_k f(rows_k, O_k)` over the blocks, each term computed where its
    /// block is, added exactly (a vector of `length`, the same on every rank).
    public func sumOverBlocks(length: Int, _ f: @Sendable (Range<Int>, ParameterJacobian) -> [Double]) -> [Double] {
        let rowBlocks = self.rowBlocks
        return parallelism.sum(rowBlocks.count, length: length, share: share) { k in f(rowBlocks[k], block(k)) }
    }

    /// `O^T u` (`P` values, on every rank); `u` holds this rank's samples' values, block after block.
    public func applyTranspose(_ u: [Double]) -> [Double] {
        precondition(u.count == localRows)
        let rowBlocks = self.rowBlocks
        return parallelism.sum(rowBlocks.count, length: columns, share: share) { k in
            block(k).applyTranspose(Array(u[localSlice(k)]))
        }
    }

    /// `O^T (O v - c 1)`: the Gram product of SR's matrix-free solves, with
    /// `O v` kept on each block's rank (only the `P`-vector is summed).
    public func gramApply(_ v: [Double], shift c: Double) -> [Double] {
        sumOverBlocks(length: columns) { _, block in block.applyTranspose(block.apply(v).map { $0 - c }) }
    }

    /// `<O_p>`.
    public var columnMeans: [Double] {
        applyTranspose([Double](repeating: 1 / Double(rows), count: localRows))
    }

    /// The blocks' Gram statistics summed over all rows (`ParameterJacobian.gramBlocks`).
    /// Every rank holds at least one block (the VMC driver gives each rank a
    /// group of chains), whose statistics also give the layout.
    public func gramBlocks(denseLimit: Int) -> [ParameterJacobian.GramBlock] {
        precondition(!blocks.isEmpty, "LogDerivatives: a rank without a block")
        let blocks = self.blocks
        let local = parallelism.map(blocks.count) { blocks[$0].gramBlocks(denseLimit: denseLimit) }
        let layout = local[0]
        let total = parallelism.sum(local.map { $0.flatMap(\.flattened) }, length: layout.reduce(0) { $0 + $1.flattened.count })
        var offset = 0
        return layout.map { gram in
            let count = gram.flattened.count
            defer { offset += count }
            return gram.replacing(Array(total[offset..<(offset + count)]))
        }
    }
}
