import CKernels
import Foundation

/// Sums of vectors that do not depend on how the terms are grouped or ordered:
/// over threads, ranks, or blocks, the result is the same to the last bit.
///
/// Each term is cut into fixed-point integers below a power of two `2^E` common
/// to all terms of the sum (a Kulisch accumulator, Kulisch and Miranker,
/// Computer Arithmetic in Theory and Practice, 1981, in the small): three
/// 40-bit limbs, `x = 2^E (a0 2^-40 + a1 2^-80 + a2 2^-120) + r` with `|r| <
/// 2^(E-120)` dropped (truncated toward zero), so every bit of a term within
/// 2^67 of the largest is kept. Integer addition is exact and associative, so
/// the limbs add up identically in any order — on one rank, or across ranks by
/// `MPI_Allreduce(MPI_SUM)` on int64 — and the total is turned back into
/// doubles once. With at most 2^23 terms per element the 64-bit limbs cannot
/// overflow. A non-finite term makes every element of the sum NaN.
///
/// Costs two all-reduces (the common exponent, then 3 L integers for L
/// elements) instead of a gather of every term: what lets a step's sums scale
/// to many ranks and still equal the single process's.
enum ExactSum {
    static let limbBits = 40
    static let limbs = 3
    static let maximumTerms = 1 << 23

    /// The elementwise sum of `local` (this rank's terms, each of `length`)
    /// and every other rank's, on every rank.
    static func sum(_ local: [[Double]], length: Int, over ranks: Communicator) -> [Double] {
        for term in local { precondition(term.count == length, "ExactSum: a term of \(term.count) elements, not \(length)") }
        return combine(local, results: length, terms: local.count, over: ranks) { _, x, scale, limbs in
            nqft_exact_accumulate(x, Int64(length), scale, limbs.high, limbs.middle, limbs.low, 1)
        }
    }

    /// The total of each of `groups` (all its elements) with the same group of
    /// every other rank, on every rank: a sum over the samples that lie on
    /// several ranks (an autocovariance's products).
    static func totals(_ groups: [[Double]], over ranks: Communicator) -> [Double] {
        combine(groups, results: groups.count, terms: groups.map(\.count).max() ?? 0, over: ranks) { j, x, scale, limbs in
            nqft_exact_accumulate(x, Int64(groups[j].count), scale, limbs.high + j, limbs.middle + j, limbs.low + j, 0)
        }
    }

    /// Where each result's three limbs lie: one array per limb (`results` each,
    /// one after another in the accumulator), so the C loop vectorises.
    typealias Limbs = (high: UnsafeMutablePointer<Int64>, middle: UnsafeMutablePointer<Int64>, low: UnsafeMutablePointer<Int64>)

    /// The common part of `sum` and `totals`: agree on the exponent `E` of the
    /// largest term, let `accumulate(j, x, 2^(40-E), limbs)` add array `j`
    /// (scaled) into the limbs, add the limbs over the ranks, round once.
    private static func combine(
        _ arrays: [[Double]], results: Int, terms: Int, over ranks: Communicator,
        accumulate: (Int, UnsafePointer<Double>?, Double, Limbs) -> Void
    ) -> [Double] {
        var largest = 0.0
        var finite = true
        for array in arrays {
            var arrayFinite: Int32 = 1
            largest = max(largest, nqft_largest_magnitude(array, Int64(array.count), &arrayFinite))
            finite = finite && arrayFinite != 0
        }
        let largestExponent = finite && largest > 0 ? Int64(largest.exponent) + 1 : Int64.min
        let agreed = ranks.maxima([largestExponent, finite ? 0 : 1, Int64(terms)])
        if agreed[1] != 0 { return [Double](repeating: .nan, count: results) }
        if agreed[0] == Int64.min { return [Double](repeating: 0, count: results) }
        precondition(agreed[2] * Int64(ranks.size) < maximumTerms, "ExactSum: too many terms for 64-bit limbs")
        let exponent = Int(agreed[0])
        var accumulator = [Int64](repeating: 0, count: limbs * results)
        accumulator.withUnsafeMutableBufferPointer { a in
            let limbs = (a.baseAddress!, a.baseAddress! + results, a.baseAddress! + 2 * results)
            for (j, array) in arrays.enumerated() {
                if exponent - limbBits > -1000 && exponent - limbBits < 1000 {
                    // 2^(40 - E) is a normal double: the C loop scales exactly.
                    array.withUnsafeBufferPointer { accumulate(j, $0.baseAddress, scalbn(1.0, limbBits - exponent), limbs) }
                } else {
                    // Near the ends of the double range: scale in two exact steps.
                    let scaled = array.map { scalbn($0, -exponent) }
                    scaled.withUnsafeBufferPointer { accumulate(j, $0.baseAddress, scalbn(1.0, limbBits), limbs) }
                }
            }
        }
        let total = ranks.sums(accumulator)
        let unit = scalbn(1.0, -limbBits)
        // 2^(E - 40) when it is a normal double: multiplying by it rounds as scalbn does.
        let power = exponent - limbBits > -1022 && exponent - limbBits < 1023 ? scalbn(1.0, exponent - limbBits) : nil
        return total.withUnsafeBufferPointer { t in
            (0..<results).map { i in
                // Carries upward, so the lower limbs lie in [0, 2^40); then the
                // limbs from the lowest, one rounding each (same integers, same double).
                var (l0, l1, l2) = (t[i], t[results + i], t[2 * results + i])
                l1 += l2 >> limbBits
                l2 &= (1 << limbBits) - 1
                l0 += l1 >> limbBits
                l1 &= (1 << limbBits) - 1
                let value = Double(l0) + (Double(l1) + Double(l2) * unit) * unit
                return power.map { value * $0 } ?? scalbn(value, exponent - limbBits)
            }
        }
    }
}

extension Parallelism {
    /// `sum_k part(k)` for `k` in `0..<n`, each part computed where
    /// `localMap` puts it (its rank, on its threads), added exactly
    /// (`ExactSum`): the same vector on every rank for any rank and thread count.
    /// A collective: every rank calls it with the same `n` and `length`.
    public func sum(_ n: Int, length: Int, share: Range<Int>? = nil, _ part: @Sendable (Int) -> [Double]) -> [Double] {
        ExactSum.sum(localMap(n, share: share, part).map(\.value), length: length, over: ranks)
    }

    /// The exact elementwise sum of this rank's `terms` and every other rank's (a collective).
    public func sum(_ terms: [[Double]], length: Int) -> [Double] {
        ExactSum.sum(terms, length: length, over: ranks)
    }

    /// For each of `groups`, the exact total of its elements on every rank (a
    /// collective: every rank passes the same number of groups).
    public func totals(_ groups: [[Double]]) -> [Double] {
        ExactSum.totals(groups, over: ranks)
    }
}
