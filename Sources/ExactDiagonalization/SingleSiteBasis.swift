import Foundation
import LinearAlgebra

/// The lowest eigenstates of one site's anharmonic oscillator,
///
///     h = p^2/2 + mu2 x^2/2 + g x^4,
///
/// computed in a harmonic-oscillator basis of frequency `Omega` and size `M`,
/// and the position operator in that eigenbasis. Used as the per-site basis of
/// the lattice exact diagonalization: much better than raw oscillator states,
/// since the on-site part of `H` is diagonal in it.
///
/// With `x = (a + a^dagger)/sqrt(2 Omega)` and `p^2 = (Omega/2)(2 a^dagger a + 1 - a^2 - a^dagger^2)`,
/// `x^2` and `x^4` are formed as products in a basis four states larger and then
/// truncated, so every kept matrix element is exact.
public struct SingleSiteBasis: Sendable {
    /// Lowest eigenvalues of `h`, ascending.
    public let energies: [Double]
    /// `<i|x|j>` between the kept eigenstates, `states x states`.
    public let position: Matrix

    /// - Parameters:
    ///   - mu2: coefficient of `x^2/2` (may be negative when `g > 0`).
    ///   - g: coefficient of `x^4` (>= 0; > 0 when `mu2 <= 0`).
    ///   - states: eigenstates kept.
    ///   - oscillatorStates: size `M` of the underlying oscillator basis.
    public init(mu2: Double, g: Double, states: Int, oscillatorStates m: Int) throws {
        precondition(states >= 1 && m >= states && g >= 0 && (g > 0 || mu2 > 0))
        let omega = Self.optimalFrequency(mu2: mu2, g: g)
        let big = m + 4
        // x in the oscillator basis of size M + 4: x_{n,n+1} = sqrt((n+1)/(2 Omega)).
        var x = Matrix(rows: big, columns: big)
        for n in 0..<(big - 1) {
            let value = (Double(n + 1) / (2 * omega)).squareRoot()
            x[n, n + 1] = value
            x[n + 1, n] = value
        }
        let x2 = product(x, .none, x, .none)
        let x4 = product(x2, .none, x2, .none)
        var h = Matrix(rows: m, columns: m)
        for i in 0..<m {
            for j in 0..<m { h[i, j] = 0.5 * mu2 * x2[i, j] + g * x4[i, j] }
        }
        for i in 0..<m {
            // p^2/2 = (Omega/4)(2n + 1) on the diagonal, -(Omega/4) sqrt((n+1)(n+2)) two off.
            h[i, i] += 0.25 * omega * Double(2 * i + 1)
            if i + 2 < m {
                let value = -0.25 * omega * Double((i + 1) * (i + 2)).squareRoot()
                h[i, i + 2] += value
                h[i + 2, i] += value
            }
        }
        let (values, vectors) = try symmetricEigensystem(h)
        energies = Array(values.prefix(states))
        // <i|x|j> = sum_{a,b} U_{a i} x_{a b} U_{b j} over the kept columns of U.
        var u = Matrix(rows: m, columns: states)
        for a in 0..<m { for i in 0..<states { u[a, i] = vectors[a, i] } }
        var xm = Matrix(rows: m, columns: m)
        for a in 0..<m { for b in 0..<m { xm[a, b] = x[a, b] } }
        position = product(u, .transpose, product(xm, .none, u, .none), .none)
    }

    /// The frequency `Omega` minimising the oscillator ground state's energy
    /// `Omega/4 + mu2/(4 Omega) + 3 g/(4 Omega^2)` (golden-section search), so the
    /// basis is centred on the problem's own length scale.
    static func optimalFrequency(mu2: Double, g: Double) -> Double {
        func energy(_ logOmega: Double) -> Double {
            let w = exp(logOmega)
            return w / 4 + mu2 / (4 * w) + 3 * g / (4 * w * w)
        }
        var lo = log(1e-3), hi = log(1e3)
        let ratio = (5.0.squareRoot() - 1) / 2
        for _ in 0..<200 {
            let a = hi - ratio * (hi - lo), b = lo + ratio * (hi - lo)
            if energy(a) < energy(b) { hi = b } else { lo = a }
        }
        return exp((lo + hi) / 2)
    }
}
