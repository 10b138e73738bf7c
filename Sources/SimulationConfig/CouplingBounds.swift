/// The couplings a run may have, in the project's convention (docs/CONVENTIONS.md §1),
/// the same for every kind of run and for every coupling convention after its
/// mapping onto the project's (`ActionConvention`): a convention is refused
/// whatever its image would be refused for.
///
/// - lambda in [0, 1e8]: beyond, the quartic scale (lambda/24)^(1/3) > 160 outruns
///   every step size and spacing the samplers can take;
/// - m2 in [-1e6, 1e6];
/// - m2 > 0 when lambda = 0: otherwise nothing bounds the action (exp(-S) and
///   |psi|^2 cannot be normalised).
public enum CouplingBounds {
    public static let maximumCoupling = 1e8
    public static let maximumMassSquared = 1e6

    /// Why `(m2, lambda)` is not allowed, or nil.
    public static func problem(massSquared m2: Double, coupling lambda: Double) -> String? {
        guard lambda.isFinite, lambda >= 0, lambda <= maximumCoupling else {
            return "lambda = \(lambda) is outside [0, \(maximumCoupling)]"
        }
        guard m2.isFinite, abs(m2) <= maximumMassSquared else {
            return "m2 = \(m2) is outside [-\(maximumMassSquared), \(maximumMassSquared)]"
        }
        if lambda == 0, m2 <= 0 {
            return "m2 = \(m2) with lambda = 0 has no lower bound: the free theory needs m2 > 0"
        }
        return nil
    }
}
