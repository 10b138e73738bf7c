import Lattice
import Parallelism

/// How a VMC step's samples are numbered and split into blocks. The samples of
/// chain group `g` (`MetropolisHastings.groups`: `sweeps x |g|` rows,
/// sweep-major) come first for `g = 0`, then `g = 1`, ...; each group's rows
/// are split into parts of at least 128 rows, about 8 blocks in all (fixed by
/// the groups' sizes, so threads share a group's work and no BLAS call's rows
/// depend on the thread or rank count).
/// Every block lies in one group, so its rank holds its samples; a rank's
/// blocks are those of its groups.
struct StepBlocks: Sendable {
    struct Block: Sendable {
        let group: Int
        /// Rows within the group's batch.
        let rowsInGroup: Range<Int>
        /// Rows among all samples (group-major numbering).
        let rows: Range<Int>
    }

    let groups: [Range<Int>]
    let sweeps: Int
    let blocks: [Block]
    /// This rank's blocks: those of its groups (`Communicator.share` of the groups).
    let share: Range<Int>

    init(groups: [Range<Int>], sweeps: Int, parallelism: Parallelism) {
        self.groups = groups
        self.sweeps = sweeps
        var blocks: [Block] = []
        var offset = 0
        for (g, group) in groups.enumerated() {
            let count = group.count * sweeps
            for part in evenSplit(count, parts: min(workBlocks(count).count, max(1, Parallelism.maximumFixedBlocks / groups.count))) { blocks.append(Block(group: g, rowsInGroup: part, rows: (offset + part.lowerBound)..<(offset + part.upperBound))) }
            offset += count
        }
        self.blocks = blocks
        let mine = parallelism.ranks.share(of: groups.count)
        let indices = blocks.indices.filter { mine.contains(blocks[$0].group) }
        share = (indices.first ?? 0)..<((indices.last ?? -1) + 1)
    }

    /// Block `k`'s fields, from this rank's recorded groups.
    func fields(of k: Int, in recorded: [(index: Int, value: FieldBatch)]) -> FieldBatch {
        let block = blocks[k]
        guard let group = recorded.first(where: { $0.index == block.group }) else {
            preconditionFailure("StepBlocks: block \(k) of group \(block.group) is not on this rank")
        }
        return group.value.rows(block.rowsInGroup)
    }

    /// This rank's values (its blocks', in order: its groups, group-major) in
    /// record order over its chains (sweep, then chain), as `GammaMethod` reads
    /// them; with the number of its chains.
    func localRecordOrder(_ values: [Double]) -> (chains: Int, values: [Double]) {
        let mine = share.isEmpty ? [] : Array(groups[blocks[share.lowerBound].group...blocks[share.upperBound - 1].group])
        let chains = mine.reduce(0) { $0 + $1.count }
        precondition(values.count == chains * sweeps)
        var ordered = [Double](repeating: 0, count: values.count)
        var offset = 0, first = 0
        for group in mine {
            for s in 0..<sweeps {
                for i in 0..<group.count { ordered[s * chains + first + i] = values[offset + s * group.count + i] }
            }
            offset += sweeps * group.count
            first += group.count
        }
        return (chains, ordered)
    }
}
