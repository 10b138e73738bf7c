import Dispatch
import Synchronization
internal import COpenBLAS

private let workerCount = Atomic<Int>(1)

/// Sets the threads the program uses: the workers of `parallelPerform`. OpenBLAS
/// itself stays single-threaded — its idle threads spin and would steal the
/// cores from the workers — and the workers split the work instead.
/// Results do not depend on the count: work is split into parts fixed by its
/// size (`workBlocks`), never by the number of threads.
public func setThreads(_ count: Int) {
    workerCount.store(max(1, count), ordering: .relaxed)
    openblas_set_num_threads(1)
}

/// The count last given to `setThreads` (1 at start).
public var threadCount: Int { workerCount.load(ordering: .relaxed) }

/// Runs `body(0)`, ..., `body(n - 1)` on `threadCount` threads, worker `w`
/// taking `w, w + threadCount, ...`.
///
/// - Precondition: `body(i)` writes only memory no other part reads or writes
///   (the compiler cannot check this for a non-escaping closure).
public func parallelPerform(_ n: Int, _ body: (Int) -> Void) {
    let workers = min(n, threadCount)
    if workers <= 1 {
        for i in 0..<n { body(i) }
        return
    }
    withoutActuallyEscaping(body) { body in
        let task = unsafeBitCast(body, to: (@Sendable (Int) -> Void).self)
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            for i in stride(from: w, to: n, by: workers) { task(i) }
        }
    }
}

/// `[body(0), ..., body(n - 1)]`, computed by `parallelPerform`.
public func parallelMap<T>(_ n: Int, _ body: (Int) -> T) -> [T] {
    var results = [T?](repeating: nil, count: n)
    results.withUnsafeMutableBufferPointer { r in
        parallelPerform(n) { k in r[k] = body(k) }
    }
    return results.map { $0! }
}

/// `0..<count` split into `parts` contiguous ranges of nearly equal size.
public func evenSplit(_ count: Int, parts: Int) -> [Range<Int>] {
    let n = max(1, min(parts, count))
    return (0..<n).map { (($0 * count) / n)..<((($0 + 1) * count) / n) }
}

/// `0..<count` split into parts for `parallelPerform`: at most 8 (enough for the
/// threads of a workstation), each at least 128 rows (so each part's gemm stays
/// efficient), and fixed by `count` alone.
public func workBlocks(_ count: Int) -> [Range<Int>] {
    evenSplit(count, parts: min(8, max(1, count / 128)))
}
