import Dispatch

/// How many threads, and which MPI ranks, a computation may use: a value handed
/// down from the command line to the samplers, drivers and solvers that split
/// work, never a global (so two runs, or two tests, in one process cannot
/// change each other's count).
///
/// Results never depend on it: work is split into parts fixed by its size
/// (`workBlocks`) or into independent chains, and the parts are combined in a
/// fixed order; the threads and ranks only decide which part runs where.
public struct Parallelism: Sendable, Equatable {
    /// Worker threads of this rank, at least 1.
    public let threads: Int
    /// The job's ranks; `.single` for one process.
    public let ranks: Communicator

    public init(threads: Int, ranks: Communicator = .single) {
        self.threads = max(1, threads)
        self.ranks = ranks
    }

    /// One thread.
    public static let serial = Parallelism(threads: 1)

    /// `[body(0), ..., body(n - 1)]`, computed on up to `threads` threads,
    /// worker `w` taking `w, w + threads, ...`.
    public func map<T: Sendable>(_ n: Int, _ body: @Sendable (Int) -> T) -> [T] {
        let workers = min(n, threads)
        if workers <= 1 { return (0..<n).map(body) }
        return [T](unsafeUninitializedCapacity: n) { buffer, count in
            let slots = DisjointSlots(buffer.baseAddress!)
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                for i in stride(from: w, to: n, by: workers) { slots.initialize(i, to: body(i)) }
            }
            count = n
        }
    }
}

extension Parallelism {
    /// `[body(0), ..., body(n - 1)]` on every rank: each rank computes its
    /// `share` on its threads, and the packed results are gathered in index
    /// order, so every rank holds the same values as a single process would.
    /// Bodies must not call collectives (they run on some ranks only), and
    /// that includes a collective stop check.
    ///
    /// `share` overrides this rank's indices (the default is `ranks.share(of:
    /// n)`): the ranks' shares must be contiguous and in rank order.
    public func distributedMap<T: RankPackable>(_ n: Int, share: Range<Int>? = nil, _ body: @Sendable (Int) -> T) -> [T] {
        if ranks.size == 1 { return map(n, body) }
        return distributedMap(n, share: share) { (shared: body($0), local: ()) }.shared
    }

    /// `distributedMap` for work with two results: `shared`, gathered onto
    /// every rank in index order, and `local`, which stays on the rank that
    /// computed it (a chain group's recorded samples), returned with its index.
    public func distributedMap<Shared: RankPackable, Local: Sendable>(
        _ n: Int, share: Range<Int>? = nil, _ body: @Sendable (Int) -> (shared: Shared, local: Local)
    ) -> (shared: [Shared], local: [(index: Int, value: Local)]) {
        let local = localMap(n, share: share, body)
        if ranks.size == 1 { return (local.map(\.value.shared), local.map { ($0.index, $0.value.local) }) }
        var words = PackedWords()
        for (_, value) in local { value.shared.pack(into: &words) }
        var all: [Shared] = []
        all.reserveCapacity(n)
        for part in ranks.allGather(words.storage) {
            var reader = PackedWords.Reader(part)
            while !reader.isAtEnd { all.append(Shared(unpacking: &reader)) }
        }
        precondition(all.count == n, "distributedMap: the ranks' shares do not add up")
        return (all, local.map { ($0.index, $0.value.local) })
    }

    /// `body(i)` for this rank's share of `0..<n` only, on its threads, with the
    /// indices: work whose results stay on the rank (a sample block's
    /// log-derivatives) and meet the others' only through reductions (`sum`).
    public func localMap<T: Sendable>(_ n: Int, share: Range<Int>? = nil, _ body: @Sendable (Int) -> T) -> [(index: Int, value: T)] {
        let mine = share ?? ranks.share(of: n)
        let values = map(mine.count) { body(mine.lowerBound + $0) }
        return zip(mine, values).map { ($0, $1) }
    }
}

/// The one place where threads write shared memory: `Parallelism.map` hands
/// each worker distinct indices of a buffer the caller owns, so no slot is
/// written twice or read while written. The compiler cannot see that
/// disjointness, hence `@unchecked`; nothing else in the package uses it.
private struct DisjointSlots<T>: @unchecked Sendable {
    private let base: UnsafeMutablePointer<T>

    init(_ base: UnsafeMutablePointer<T>) { self.base = base }

    func initialize(_ index: Int, to value: T) { (base + index).initialize(to: value) }
}

/// `0..<count` split into `parts` contiguous ranges of nearly equal size.
public func evenSplit(_ count: Int, parts: Int) -> [Range<Int>] {
    let n = max(1, min(parts, count))
    return (0..<n).map { (($0 * count) / n)..<((($0 + 1) * count) / n) }
}

/// `0..<count` split into parts for `Parallelism.map`: at most 8 (enough for
/// the threads of a workstation), each at least `minimumRows` rows (so each
/// part's gemm stays efficient), and fixed by `count` alone.
public func workBlocks(_ count: Int, minimumRows: Int = 128) -> [Range<Int>] {
    evenSplit(count, parts: min(Parallelism.maximumFixedBlocks, max(1, count / minimumRows)))
}

extension Parallelism {
    /// The parts of `0..<count` that results are computed and summed over:
    /// `workBlocks`, fixed by `count`, so results do not depend on the thread
    /// or rank count (a block's BLAS results can depend on its number of rows,
    /// so not even the split may change). Beyond `maximumFixedBlocks` ranks
    /// every rank gets a part of its own instead (results then repeat for the
    /// same rank count only).
    public func blocks(_ count: Int, minimumRows: Int = 128) -> [Range<Int>] {
        ranks.size <= Self.maximumFixedBlocks
            ? workBlocks(count, minimumRows: minimumRows) : evenSplit(count, parts: ranks.size)
    }

    /// The most blocks `workBlocks` makes.
    public static let maximumFixedBlocks = 8
}
