internal import CActivations

/// Smooth activation functions with their first and second derivatives, which
/// the kinetic energy needs (no ReLU: its second derivative is a delta).
///
/// The functions are evaluated by vectorised C loops (`CActivations`) with an
/// exponential accurate to 2 ulp: `tanh` to an absolute 4.4e-16 (2 ulp of 1) with exact limits
/// +-1, the others to a few ulps.
public enum Activation: String, Sendable, Codable, CaseIterable {
    /// `tanh(x)`; `sigma' = 1 - tanh^2`, `sigma'' = -2 tanh (1 - tanh^2)`.
    case tanh
    /// `log(1 + e^x)`; `sigma' = s(x)` (the logistic function), `sigma'' = s (1 - s)`.
    case softplus
    /// `x s(x)` (SiLU, Elfwing et al. 2018); `sigma' = s (1 + x (1 - s))`,
    /// `sigma'' = s (1 - s) (2 + x (1 - 2 s))`.
    case silu

    var kind: nqft_activation_kind {
        switch self {
        case .tanh: NQFT_TANH
        case .softplus: NQFT_SOFTPLUS
        case .silu: NQFT_SILU
        }
    }

    /// `sup |sigma''|` for an activation whose values are bounded, `|sigma| <= 1`:
    /// what a proven bound on a network's change needs (the second-order
    /// remainder, and a rounding margin that `|sigma| <= 1` keeps in proportion
    /// to the weights; `TranslationInvariantNetwork.siteChangeBounds`). tanh:
    /// `|sigma''| = 2 |t| (1 - t^2)` is largest at `t^2 = 1/3`, `4 / (3 sqrt 3)`.
    /// nil for softplus and SiLU, which grow without bound.
    public var boundedCurvature: Double? {
        switch self {
        case .tanh: 4 / (3 * 3.0.squareRoot())
        case .softplus, .silu: nil
        }
    }

    /// Applies the activation elementwise to a batch of pre-activations `h`, in
    /// place, and writes `sigma'` and `sigma''` when both buffers are given
    /// (same count as `h`).
    public func apply(
        to h: UnsafeMutableBufferPointer<Double>, first: UnsafeMutableBufferPointer<Double>?,
        second: UnsafeMutableBufferPointer<Double>?
    ) {
        precondition((first == nil) == (second == nil))
        precondition(first.map { $0.count == h.count } ?? true && second.map { $0.count == h.count } ?? true)
        nqft_activation(kind, h.baseAddress, first?.baseAddress, second?.baseAddress, h.count)
    }

    /// `(sigma(x), sigma'(x), sigma''(x))` for one `x`.
    public func evaluate(_ x: Double) -> (value: Double, first: Double, second: Double) {
        var (v, d1, d2) = (x, 0.0, 0.0)
        nqft_activation(kind, &v, &d1, &d2, 1)
        return (v, d1, d2)
    }
}
