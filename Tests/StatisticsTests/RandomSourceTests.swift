import Foundation
import Statistics
import Testing

@Suite struct RandomSourceTests {
    @Test(arguments: [0 as UInt64, 1, 1234, .max])
    func streamsReproduceAndDiffer(seed: UInt64) {
        var a = RandomSource(seed: seed, stream: 3)
        var b = RandomSource(seed: seed, stream: 3)
        var c = RandomSource(seed: seed, stream: 4)
        let sa = (0..<100).map { _ in a.next() }
        #expect(sa == (0..<100).map { _ in b.next() }, "seed \(seed)")
        #expect(sa != (0..<100).map { _ in c.next() }, "seed \(seed)")
    }

    @Test func stateRoundTripsThroughCodable() throws {
        var a = RandomSource(seed: 9, stream: 1)
        _ = (0..<17).map { _ in a.normal() }
        var b = try JSONDecoder().decode(RandomSource.self, from: JSONEncoder().encode(a))
        #expect((0..<50).map { _ in a.normal() } == (0..<50).map { _ in b.normal() })
    }

    /// Moments and CDF points of `normal()` against N(0, 1). Each check allows
    /// 5 standard errors of its estimator, computed from the exact moments, so a
    /// correct generator fails one with probability below 1e-5.
    @Test(arguments: [7 as UInt64, 99])
    func normalVariatesHaveTheStandardNormalDistribution(seed: UInt64) {
        var rng = RandomSource(seed: seed)
        let n = 1_000_000
        var values = [Double](repeating: 0, count: n)
        values.withUnsafeMutableBufferPointer { rng.fillNormal($0) }
        let nd = Double(n)
        let mean = values.reduce(0, +) / nd
        let m2 = values.reduce(0) { $0 + $1 * $1 } / nd
        let m4 = values.reduce(0) { $0 + pow($1, 4) } / nd
        #expect(abs(mean) < 5 * (1 / nd).squareRoot(), "seed \(seed)")
        #expect(abs(m2 - 1) < 5 * (2 / nd).squareRoot(), "seed \(seed)")  // Var(x^2) = 2
        #expect(abs(m4 - 3) < 5 * (96 / nd).squareRoot(), "seed \(seed)")  // Var(x^4) = 105 - 9
        for z in [-3.0, -1.7, -0.4, 0, 0.9, 2.2, 3.8] {
            let p = 0.5 * erfc(-z / 2.0.squareRoot())
            let fraction = Double(values.count { $0 < z }) / nd
            #expect(abs(fraction - p) < 5 * (p * (1 - p) / nd).squareRoot() + 1e-12, "seed \(seed), z \(z)")
        }
    }

    @Test func uniformVariatesLieInTheUnitInterval() {
        var rng = RandomSource(seed: 5)
        let u = (0..<100_000).map { _ in rng.uniform() }
        #expect(u.allSatisfy { $0 >= 0 && $0 < 1 })
        let mean: Double = u.reduce(0, +) / 100_000
        let tolerance: Double = 5 * (1.0 / 12 / 100_000).squareRoot()
        #expect(abs(mean - 0.5) < tolerance)
    }
}
