import Parallelism
import Testing

@Suite struct ParallelismTests {
    /// The results come back in index order whatever the thread count, and each index once.
    @Test(arguments: [1, 2, 3, 8])
    func mapKeepsTheOrder(threads: Int) {
        let p = Parallelism(threads: threads)
        #expect(p.map(100) { $0 * $0 } == (0..<100).map { $0 * $0 })
        #expect(p.map(0) { $0 }.isEmpty)
        #expect(p.map(1) { _ in "one" } == ["one"])
    }

    @Test func splitsCoverTheRangeInOrder() {
        for (count, parts) in [(10, 3), (3, 10), (0, 2), (1000, 8)] {
            let ranges = evenSplit(count, parts: parts)
            #expect(ranges.flatMap { Array($0) } == Array(0..<count))
            #expect(ranges.count == max(1, min(parts, count)))
        }
        // Work blocks depend on the size alone: at least 128 rows, at most 8 blocks.
        #expect(workBlocks(100).count == 1 && workBlocks(1024).count == 8 && workBlocks(300).count == 2)
        // The blocks of a computation do not change with the thread count.
        #expect(Parallelism(threads: 3).blocks(1024) == workBlocks(1024))
    }

    @Test func threadCountIsAtLeastOne() {
        #expect(Parallelism(threads: 0).threads == 1 && Parallelism.serial.threads == 1)
    }
}
