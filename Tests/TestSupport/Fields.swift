import Lattice
import LinearAlgebra

/// Reproducible pseudo-random test fields, independent of the project's own
/// generators (a 64-bit LCG with a fixed seed), uniform in `[-scale, scale)`.
public func testFields(samples: Int, sites: Int, seed: UInt64, scale: Double = 1) -> FieldBatch {
    var state = seed &* 6364136223846793005 &+ 1442695040888963407
    var batch = FieldBatch(rows: samples, columns: sites)
    for i in batch.storage.indices {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        batch.storage[i] = scale * (2 * Double(state >> 11) * 0x1.0p-53 - 1)
    }
    return batch
}

/// Lattice shapes the tests loop over: d = 1, 2, 3, with extents 1 and 2 (the
/// literal neighbour rule's edge cases), odd, even and non-square extents.
public let testExtents: [[Int]] = [[1], [2], [5], [8], [4, 3], [2, 5], [1, 4], [3, 4, 5], [2, 2, 2], [4, 1, 3]]
