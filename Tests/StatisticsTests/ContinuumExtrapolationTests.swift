import Statistics
import Testing

@Suite struct ContinuumExtrapolationTests {
    /// Data on the law itself is fitted exactly: eps^2 below four points, eps^2 and eps^4 from four.
    @Test func recoversThePolynomial() {
        let three = [0.15, 0.1, 0.05]
        let line = ContinuumExtrapolation(spacings: three, values: three.map { 3 - 2 * $0 * $0 }, errors: [0.1, 0.2, 0.3])
        #expect(abs(line.value - 3) < 1e-13 && abs(line.slope + 2) < 1e-12 && line.curvature == 0)
        #expect(line.degreesOfFreedom == 1 && line.chi2 < 1e-20)
        let four = [0.2, 0.15, 0.1, 0.05]
        let e = { (x: Double) in 3 - 2 * x * x + 5 * x * x * x * x }
        let curve = ContinuumExtrapolation(spacings: four, values: four.map(e), errors: [0.1, 0.2, 0.3, 0.4])
        #expect(abs(curve.value - 3) < 1e-12 && abs(curve.slope + 2) < 1e-10 && abs(curve.curvature - 5) < 1e-8)
        #expect(curve.degreesOfFreedom == 1 && curve.fitError == 0)
    }

    /// The statistical error is the data errors propagated through the fit, which is
    /// linear in the data: sigma^2 = sum_i (d E0 / d y_i)^2 sigma_i^2, the derivatives
    /// by perturbing one point at a time (independent of the normal equations' inverse).
    @Test(arguments: [[0.2, 0.1], [0.15, 0.1, 0.05], [0.25, 0.2, 0.1, 0.05], [0.3, 0.2, 0.15, 0.1, 0.05]])
    func statisticalErrorIsThePropagatedDataError(spacings: [Double]) {
        let values = spacings.map { 1 + 0.3 * $0 * $0 + 0.01 * Double(spacings.firstIndex(of: $0)!) }
        let errors = spacings.indices.map { 0.01 * Double($0 + 1) }
        let fit = ContinuumExtrapolation(spacings: spacings, values: values, errors: errors)
        var variance = 0.0
        for i in spacings.indices {
            var shifted = values
            shifted[i] += 1
            let derivative = ContinuumExtrapolation(spacings: spacings, values: shifted, errors: errors).value - fit.value
            variance += derivative * derivative * errors[i] * errors[i]
        }
        #expect(abs(fit.statisticalError - variance.squareRoot()) < 1e-10 * fit.statisticalError)
    }

    /// A curvature the eps^2 line misses shows in chi2 and inflates the error.
    @Test func poorFitInflatesTheError() {
        let three = [0.3, 0.2, 0.1]
        let fit = ContinuumExtrapolation(spacings: three, values: three.map { 1 + 40 * pow4($0) }, errors: [1e-3, 1e-3, 1e-3])
        #expect(fit.chi2 > 10 && fit.fitError > 0)
        #expect(abs(fit.error * fit.error - fit.statisticalError * fit.statisticalError * fit.chi2) < 1e-12)
    }

    func pow4(_ x: Double) -> Double { x * x * x * x }
}
