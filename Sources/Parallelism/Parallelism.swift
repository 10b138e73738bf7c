import Dispatch

/// How many threads a computation may use: a value handed down from the
/// command line to the samplers, drivers and solvers that split work, never a
/// global (so two runs, or two tests, in one process cannot change each
/// other's count).
///
/// Results never depend on it: work is split into parts fixed by its size
/// (`workBlocks`) or into independent chains, and the parts are combined in a
/// fixed order; the threads only decide which part runs where.
public struct Parallelism: Sendable, Equatable {
    /// Worker threads, at least 1.
    public let threads: Int

    public init(threads: Int) {
        self.threads = max(1, threads)
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
/// the threads of a workstation), each at least 128 rows (so each part's gemm
/// stays efficient), and fixed by `count` alone.
public func workBlocks(_ count: Int) -> [Range<Int>] {
    evenSplit(count, parts: min(8, max(1, count / 128)))
}
