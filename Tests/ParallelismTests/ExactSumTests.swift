import Foundation
import Parallelism
import Testing

/// `Parallelism.sum`: the exact sum of the terms, rounded (to within two units
/// in the last place), whatever their order and grouping.
@Suite struct ExactSumTests {
    /// The exact sum of `values` as a nonoverlapping expansion (Shewchuk,
    /// Discrete Comput. Geom. 18 (1997) 305, Grow-Expansion with Two-Sum),
    /// rounded by adding its components from the smallest: an independent
    /// reference for the fixed-point limbs.
    func exactlyRounded(_ values: [Double]) -> Double {
        var expansion: [Double] = []
        for value in values {
            var q = value
            var next: [Double] = []
            for e in expansion {
                let s = q + e
                let bv = s - q
                let error = (q - (s - bv)) + (e - bv)
                if error != 0 { next.append(error) }
                q = s
            }
            if q != 0 { next.append(q) }
            expansion = next
        }
        return expansion.reduce(0, +)
    }

    /// Cancellation, mixed magnitudes and random terms: within 2 ulp of the exact
    /// sum, plus what the limbs drop (below 2^-120 of the largest term, once per
    /// term). The naive double sum is off by up to 1 in the first case.
    @Test func sumsAreExactUpToTheFinalRounding() {
        var random = SystemRandomNumberGenerator()
        var cases: [[Double]] = [
            [1e16, 1, -1e16, 1e-3],
            [1, 1e-30, -1, 3e-31],
            [0.1, 0.2, 0.3, -0.6],
            [1e300, -1e300, 1e280, 1e-20],
        ]
        for _ in 0..<20 {
            cases.append((0..<200).map { _ in Double.random(in: -1...1, using: &random) * pow(10, Double.random(in: -8...8, using: &random)) })
        }
        let p = Parallelism.serial
        for terms in cases {
            let sum = p.sum(terms.map { [$0] }, length: 1)[0]
            let exact = exactlyRounded(terms)
            let dropped = Double(terms.count) * pow(2, -119) * terms.map(abs).max()!
            #expect(abs(sum - exact) <= 2 * exact.ulp + dropped, "\(terms.prefix(4)): \(sum) vs \(exact)")
        }
    }

    /// The same terms in any order, split into any blocks, over any threads,
    /// give the same bits.
    @Test func orderAndGroupingDoNotChangeTheBits() {
        var random = SystemRandomNumberGenerator()
        let length = 37
        let terms = (0..<64).map { _ in
            (0..<length).map { _ in Double.random(in: -1...1, using: &random) * pow(2, Double(Int.random(in: -40...40, using: &random))) }
        }
        let reference = Parallelism.serial.sum(terms, length: length)
        for threads in [1, 2, 3] {
            let p = Parallelism(threads: threads)
            let shuffled = terms.shuffled(using: &random)
            #expect(p.sum(shuffled, length: length) == reference)
            #expect(p.sum(shuffled.count, length: length) { shuffled[$0] } == reference)
        }
    }

    /// Zeros, no terms, non-finite terms and the ends of the double range.
    @Test func edgeCases() {
        let p = Parallelism.serial
        #expect(p.sum([[0, 0], [0, -0.0]], length: 2) == [0, 0])
        #expect(p.sum([], length: 3) == [0, 0, 0])
        #expect(p.sum([[1, .infinity], [2, 3]], length: 2).allSatisfy { $0.isNaN })
        #expect(p.sum([[.nan]], length: 1)[0].isNaN)
        #expect(p.sum([[1e308], [1e308], [-1e308]], length: 1) == [1e308])
        #expect(p.sum([[Double.leastNonzeroMagnitude], [Double.leastNonzeroMagnitude]], length: 1) == [2 * Double.leastNonzeroMagnitude])
        #expect(p.sum([[Double.greatestFiniteMagnitude / 4], [Double.greatestFiniteMagnitude / 4]], length: 1)
            == [Double.greatestFiniteMagnitude / 2])
    }
}
