import Foundation
import Statistics
import Testing

/// The fits of a network ensemble's N-dependence: the power law and the 1/N expansion.
@Suite struct WidthFitTests {
    /// y = A x^p is recovered from exact data; with noisy data the fitted exponent
    /// scatters by its quoted error (checked over 200 data sets).
    @Test func powerLawFit() {
        let x = [2.0, 5, 20, 100]
        let exact = PowerLawFit(x: x, y: x.map { 0.3 * pow($0, -1) }, error: [0.01, 0.005, 0.002, 0.001])
        #expect(exact != nil && abs(exact!.exponent + 1) < 1e-9 && abs(exact!.amplitude - 0.3) < 1e-9)
        var random = RandomSource(seed: 3)
        var pulls: [Double] = []
        for _ in 0..<200 {
            let errors = x.map { 0.02 * 0.3 / $0 + 1e-4 }
            let y = zip(x, errors).map { 0.3 / $0 + $1 * random.normal() }
            guard let fit = PowerLawFit(x: x, y: y, error: errors) else { continue }
            pulls.append((fit.exponent + 1) / fit.exponentError)
        }
        let rms = (pulls.reduce(0) { $0 + $1 * $1 } / Double(pulls.count)).squareRoot()
        #expect(pulls.count == 200 && rms > 0.7 && rms < 1.3, "rms pull \(rms)")
    }

    /// a/N + b/N^2 is recovered exactly from exact data (three or more widths; a/N alone from two).
    @Test func inverseWidthExpansion() {
        let n = [10.0, 30, 100, 1000]
        let fit = InverseWidthExpansion(widths: n, values: n.map { -1.8 / $0 + 9 / ($0 * $0) }, errors: [0.01, 0.01, 0.01, 0.01])
        #expect(fit != nil && abs(fit!.leading + 1.8) < 1e-12 && abs(fit!.next - 9) < 1e-10 && fit!.degreesOfFreedom == 2)
        let two = InverseWidthExpansion(widths: [100, 1000], values: [0.03, 0.003], errors: [0.001, 0.001])
        #expect(two != nil && abs(two!.leading - 3) < 1e-12 && two!.next == 0 && two!.degreesOfFreedom == 1)
    }
}
