import Foundation
import Lattice
import LinearAlgebra

/// The Gaussian times a single-site factor with the anharmonic oscillator's
/// asymptotics:
///
///     log psi = log psi_Gauss(phi) - c sum_x [ (phi_x^2 + 1)^{3/2} - 1 ],   c = exp(gamma).
///
/// For `H = p^2/2 + g x^4 + ...` the ground state decays like
/// `exp(-(sqrt(2 g)/3) |x|^3)` (WKB), and a Gaussian or a saturating network
/// cannot follow it: their local energy grows like `g x^4` in the tails, a rare
/// but heavy upper tail that biases Monte Carlo means and error bars low. With the
/// `|x|^3` term, `(d log psi)^2 / 2` cancels `g x^4` when `c = sqrt(2 g)/3`, and the
/// local energy stays bounded. The `+1` smooths the cusp of `|x|^3` at 0.
///
///     d/dphi_x   = -3 c phi_x s_x,              s_x = sqrt(phi_x^2 + 1)
///     d^2/dphi_x^2 = -3 c (s_x + phi_x^2 / s_x)
///     d/dgamma   = -c sum_x (s_x^3 - 1)
public struct TailedGaussian: WavefunctionModel {
    public var gaussian: GaussianAnsatz
    /// `gamma = log c`.
    public var logStrength: Double

    /// `coupling` is lambda; the tail starts at the single-site WKB value `c = sqrt(lambda/12)/3`.
    public init(gaussian: GaussianAnsatz, coupling: Double) {
        precondition(coupling > 0)
        self.gaussian = gaussian
        logStrength = log((coupling / 12).squareRoot() / 3)
    }

    public var lattice: Lattice { gaussian.lattice }

    public var parameters: [Double] {
        get { gaussian.parameters + [logStrength] }
        set {
            gaussian.parameters = Array(newValue.dropLast())
            logStrength = newValue[newValue.count - 1]
        }
    }

    /// `sum_x (s_x^3 - 1)` per field: the tail's shape.
    private func shape(_ fields: FieldBatch) -> [Double] {
        (0..<fields.rows).map { b in (0..<fields.columns).reduce(0) { $0 + Self.siteShape(fields[b, $1]) } }
    }

    /// `(phi^2 + 1)^{3/2} - 1` of one site.
    static func siteShape(_ phi: Double) -> Double {
        let p2 = phi * phi
        // s^3 - 1 = p2 (s^2 + s + 1) / (s + 1): no cancellation near 0.
        let s = (p2 + 1).squareRoot()
        return p2 * (p2 + 1 + s + 1) / (s + 1)
    }

    public func logPsi(_ fields: FieldBatch) -> [Double] {
        let c = exp(logStrength)
        return zip(gaussian.logPsi(fields), shape(fields)).map { $0 - c * $1 }
    }

    public func logPsiDerivatives(_ fields: FieldBatch) -> LogPsiDerivatives {
        let c = exp(logStrength)
        var d = gaussian.logPsiDerivatives(fields)
        let tail = shape(fields)
        for b in 0..<fields.rows {
            d.value[b] -= c * tail[b]
            for x in 0..<fields.columns {
                let phi = fields[b, x]
                let s = (phi * phi + 1).squareRoot()
                d.gradient[b, x] -= 3 * c * phi * s
                d.laplacian[b] -= 3 * c * (s + phi * phi / s)
            }
        }
        return d
    }

    public func parameterJacobian(_ fields: FieldBatch) -> ParameterJacobian {
        var o = gaussian.parameterJacobian(fields)
        let c = exp(logStrength)
        o.append(.dense(Matrix(rows: fields.rows, columns: 1, storage: shape(fields).map { -c * $0 })))
        return o
    }
}
