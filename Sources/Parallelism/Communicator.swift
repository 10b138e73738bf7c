import CMPIShim
import Foundation
import Synchronization

/// The ranks of a job (MPI_COMM_WORLD) as a value handed down with `Parallelism`:
/// which rank this process is, how many there are, and the few collective
/// operations the runs need. A process not started by an MPI launcher (or built
/// without the MPI trait) is the one rank of `Communicator.single`.
///
/// Every collective must be called by every rank in the same order. The runs
/// keep that by construction: every rank executes the same control flow on the
/// same (replicated) state, and only `Parallelism.distributedMap` splits work,
/// with no collective inside its bodies.
public struct Communicator: Sendable, Equatable {
    public let rank: Int
    public let size: Int

    /// One process, no MPI.
    public static let single = Communicator(rank: 0, size: 1)

    private init(rank: Int, size: Int) {
        self.rank = rank
        self.size = size
    }

    /// Whether this binary was built with the MPI trait.
    public static var isAvailable: Bool { nqft_mpi_compiled() == 1 }

    /// Whether an MPI launcher started this process (mpirun, mpiexec or srun
    /// with PMIx/PMI): they set these variables. Without one, the process does
    /// not initialise MPI (Open MPI's singleton start spawns a daemon).
    public static var isLaunchedByMPI: Bool {
        let environment = ProcessInfo.processInfo.environment
        return ["OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE"].contains { environment[$0] != nil }
    }

    /// The world of this job: MPI initialised when launched by MPI with an
    /// MPI build, `single` otherwise. Call once, from the main thread, before
    /// any other thread starts.
    public static func world() throws -> Communicator {
        guard isAvailable && isLaunchedByMPI else { return .single }
        var rank: Int32 = 0, size: Int32 = 1
        let error = nqft_mpi_init(&rank, &size)
        guard error == 0 else { throw CommunicatorError(operation: "MPI_Init_thread", code: error) }
        return Communicator(rank: Int(rank), size: Int(size))
    }

    /// This rank's share of `0..<n` items: contiguous, rank order, sizes differing by at most one.
    public func share(of n: Int) -> Range<Int> {
        (rank * n / size)..<((rank + 1) * n / size)
    }

    /// Collectives called and 8-byte words they moved (an all-gather: every
    /// word gathered; an all-reduce or broadcast: its vector), since the start:
    /// what `nqft bench` reports per step, for the scaling model.
    public static var traffic: (collectives: Int, words: Int) {
        (collectiveCount.load(ordering: .relaxed), wordCount.load(ordering: .relaxed))
    }

    private static let collectiveCount = Atomic<Int>(0)
    private static let wordCount = Atomic<Int>(0)

    private func count(_ words: Int) {
        Self.collectiveCount.add(1, ordering: .relaxed)
        Self.wordCount.add(words, ordering: .relaxed)
    }

    /// Every rank's `words`, in rank order, on every rank.
    public func allGather(_ words: [UInt64]) -> [[UInt64]] {
        if size == 1 { return [words] }
        var counts = [Int64](repeating: 0, count: size)
        check(nqft_mpi_allgather_count(Int64(words.count), &counts), "MPI_Allgather")
        var all = [UInt64](repeating: 0, count: Int(counts.reduce(0, +)))
        count(all.count + size)
        check(counts.withUnsafeBufferPointer { c in
            all.withUnsafeMutableBufferPointer { nqft_mpi_allgatherv_words(words, c.baseAddress, $0.baseAddress) }
        }, "MPI_Allgatherv")
        var parts: [[UInt64]] = []
        var offset = 0
        for count in counts.map(Int.init) {
            parts.append(Array(all[offset..<(offset + count)]))
            offset += count
        }
        return parts
    }

    /// Whether `flag` is true on any rank (an all-reduce; every rank gets the answer).
    public func any(_ flag: Bool) -> Bool {
        if size == 1 { return flag }
        count(1)
        var result: Int32 = 0
        check(nqft_mpi_any(flag ? 1 : 0, &result), "MPI_Allreduce")
        return result != 0
    }

    /// Rank 0's `words` on every rank (others pass anything; their length is ignored).
    public func broadcast(_ words: [UInt64]) -> [UInt64] {
        if size == 1 { return words }
        var length = [Int64(words.count)]
        check(length.withUnsafeMutableBytes { nqft_mpi_broadcast_words($0.baseAddress!.assumingMemoryBound(to: UInt64.self), 1, 0) }, "MPI_Bcast")
        var buffer = rank == 0 ? words : [UInt64](repeating: 0, count: Int(length[0]))
        check(buffer.withUnsafeMutableBufferPointer { nqft_mpi_broadcast_words($0.baseAddress, length[0], 0) }, "MPI_Bcast")
        count(buffer.count + 1)
        return buffer
    }

    /// Rank 0's `bytes` on every rank.
    public func broadcast(bytes: [UInt8]) -> [UInt8] {
        if size == 1 { return bytes }
        var words = [UInt64(bytes.count)] + [UInt64](repeating: 0, count: (bytes.count + 7) / 8)
        words.withUnsafeMutableBytes { raw in raw.baseAddress!.advanced(by: 8).copyMemory(from: bytes, byteCount: bytes.count) }
        let received = broadcast(words)
        let count = Int(received[0])
        return received.withUnsafeBytes { Array($0[8..<(8 + count)]) }
    }

    /// The largest of every rank's `value`, on every rank.
    public func maximum(_ value: Int) -> Int {
        maxima([Int64(value)]).first.map(Int.init) ?? value
    }

    /// Elementwise maxima over the ranks (MPI_Allreduce, MPI_MAX: exact, so in any order).
    public func maxima(_ values: [Int64]) -> [Int64] { allReduce(values, sum: false) }

    /// Elementwise sums over the ranks (MPI_Allreduce, MPI_SUM on integers: exact,
    /// so the result does not depend on the order Open MPI adds in).
    public func sums(_ values: [Int64]) -> [Int64] { allReduce(values, sum: true) }

    /// MPI_Allreduce of `values`, MPI_SUM or MPI_MAX, in place on a copy.
    private func allReduce(_ values: [Int64], sum: Bool) -> [Int64] {
        if size == 1 { return values }
        count(values.count)
        var result = values
        let error = result.withUnsafeMutableBufferPointer { buffer -> Int32 in
            sum ? nqft_mpi_sum_int64(buffer.baseAddress, Int64(buffer.count)) : nqft_mpi_max_int64(buffer.baseAddress, Int64(buffer.count))
        }
        check(error, "MPI_Allreduce")
        return result
    }

    /// Ends every rank of the job with `code` (MPI_Abort), after `message` on
    /// this rank's standard error; a single process just exits.
    public func abort(_ code: Int32, _ message: String) -> Never {
        FileHandle.standardError.write(Data((message + "\n").utf8))
        nqft_mpi_abort(code)
        exit(code)
    }

    /// MPI_Finalize (a no-op for `single`).
    public func finalize() {
        if size > 1 || Self.isAvailable { nqft_mpi_finalize() }
    }

    /// A failed collective cannot be recovered (the ranks no longer agree on
    /// where they are): the job ends, naming the rank and the operation.
    private func check(_ error: Int32, _ operation: String) {
        if error != 0 {
            abort(1, "nqft: rank \(rank) of \(size): \(CommunicatorError(operation: operation, code: error)); ending the job")
        }
    }
}

/// An MPI call that returned an error code.
public struct CommunicatorError: Error, CustomStringConvertible {
    public let operation: String
    public let code: Int32
    public var description: String { "\(operation) failed with MPI error \(code)" }
}
