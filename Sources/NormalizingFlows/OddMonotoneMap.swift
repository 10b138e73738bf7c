import Foundation

/// An odd, strictly increasing map of one site's value, the same at every site:
///
///     sigma(x) = a x + sum_f beta_f tanh(w_f x) / w_f + sum_f gamma_f (x - tanh(w_f x) / w_f),
///     sigma'(x) = a + sum_f beta_f sech^2(w_f x) + sum_f gamma_f tanh^2(w_f x) >= a > 0,
///
/// with a = e^{theta_0}, beta_f = softplus(theta_f), gamma_f = softplus(theta_{F-1+f})
/// (f = 1..F-1), so every parameter value is a bijection. The beta terms widen the
/// map near 0 and the gamma terms away from it: a small `a` with large gamma
/// empties the middle (a site's double well, which an affine coupling cannot
/// make from a single peak), large beta fills it. Odd, so it commutes with
/// phi -> -phi; site-local, so with every lattice symmetry; its log-determinant
/// is `sum_x log sigma'(x)`.
struct OddMonotoneMap {
    let a: Double
    let beta: [Double]
    let gamma: [Double]
    /// d beta / d theta and d gamma / d theta (the logistic function of theta).
    let betaSlope: [Double]
    let gammaSlope: [Double]
    let omega: [Double]

    /// Parameters per map with F features: a, and beta and gamma per tanh feature.
    static func parameterCount(features: Int) -> Int { 1 + 2 * (features - 1) }

    /// The parameters of the identity: beta_f = gamma_f = min(softplus(-2), 1/(2n))
    /// (the tanh terms cancel) and a = 1 - sum gamma_f >= 1/2, so every parameter
    /// starts with a gradient (softplus near -8 would take Adam hundreds of steps
    /// to wake).
    static func identity(features: Int) -> [Double] {
        let n = features - 1
        guard n > 0 else { return [0] }
        let gamma = min(softplus(-2), 0.5 / Double(n)), theta = log(expm1(gamma))
        return [log(1 - Double(n) * gamma)] + [Double](repeating: theta, count: 2 * n)
    }

    init(_ theta: ArraySlice<Double>, omega: [Double]) {
        let t = Array(theta), n = omega.count
        a = exp(t[0])
        beta = (0..<n).map { Self.softplus(t[1 + $0]) }
        gamma = (0..<n).map { Self.softplus(t[1 + n + $0]) }
        betaSlope = (0..<n).map { 1 / (1 + exp(-t[1 + $0])) }
        gammaSlope = (0..<n).map { 1 / (1 + exp(-t[1 + n + $0])) }
        self.omega = omega
    }

    static func softplus(_ x: Double) -> Double { x > 30 ? x : log1p(exp(x)) }

    /// sigma, sigma' and sigma'' at x.
    func evaluate(_ x: Double) -> (value: Double, slope: Double, curvature: Double) {
        var value = a * x, slope = a, curvature = 0.0
        for f in omega.indices {
            let w = omega[f], t = tanh(w * x), sech2 = 1 - t * t
            value += beta[f] * t / w + gamma[f] * (x - t / w)
            slope += beta[f] * sech2 + gamma[f] * t * t
            curvature += (gamma[f] - beta[f]) * 2 * w * t * sech2
        }
        return (value, slope, curvature)
    }

    /// The x with sigma(x) = y: Newton's method inside the bracket |x| <= |y| / a
    /// (sigma' >= a), bisecting whenever a step would leave it, to rounding.
    func inverse(_ y: Double) -> Double {
        var lo = -abs(y) / a, hi = abs(y) / a
        var x = y / evaluate(0).slope
        for _ in 0..<200 {
            let (value, slope, _) = evaluate(x)
            let r = value - y
            if r == 0 { return x }
            if r > 0 { hi = x } else { lo = x }
            var next = x - r / slope
            if !(next > lo && next < hi) { next = 0.5 * (lo + hi) }
            if abs(next - x) <= 1e-16 * max(1, abs(x)) { return next }
            x = next
        }
        return x
    }

    /// The adjoint through the map at x: with `adjoint = dl/dsigma` and the
    /// log-determinant's weight `logWeight` (dl/dlog sigma'), returns dl/dx and
    /// accumulates the parameters' gradients (into `theta`, laid out like the
    /// map's parameters) and the frequencies' (`frequency`, d/d log w_f).
    func backward(
        _ x: Double, adjoint: Double, logWeight: Double, theta: UnsafeMutablePointer<Double>, frequency: UnsafeMutablePointer<Double>
    ) -> Double {
        let (_, slope, curvature) = evaluate(x)
        let ls = logWeight / slope
        // d sigma / d theta_0 = a x, d sigma' / d theta_0 = a.
        theta[0] += adjoint * a * x + ls * a
        let n = omega.count
        for f in 0..<n {
            let w = omega[f], t = tanh(w * x), sech2 = 1 - t * t, g = t / w
            theta[1 + f] += betaSlope[f] * (adjoint * g + ls * sech2)
            theta[1 + n + f] += gammaSlope[f] * (adjoint * (x - g) + ls * t * t)
            // w d/dw: of tanh(w x)/w, x sech^2 - tanh/w; of sech^2(w x), -2 w x tanh sech^2.
            frequency[f] += (beta[f] - gamma[f]) * (adjoint * (x * sech2 - g) + ls * (-2 * w * x * t * sech2))
        }
        return adjoint * slope + ls * curvature
    }
}
