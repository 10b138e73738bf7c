/// The coupling conventions users bring for the Euclidean action, and the one
/// rescaling that maps each onto the project's (docs/CONVENTIONS.md §1):
///
///     project:  S = sum[ 1/2 sum_mu (d_mu phi)^2 + 1/2 m2 phi^2 + (lambda/24) phi^4 ]
///     flow:     S = sum[ sum_mu (d_mu phi)^2 + M2 phi^2 + lam phi^4 ]
///               phi = sqrt(2) phi_flow,  m2 = M2,  lambda = 6 lam
///     hopping:  S = sum[ -2 kappa sum_mu phi_x phi_{x+mu} + phi^2 + lam (phi^2 - 1)^2 ]
///               phi = sqrt(2 kappa) phi_kappa,  m2 = (1 - 2 lam)/kappa - 2D,  lambda = 6 lam / kappa^2
///
/// (the hopping form up to the constant `lam V`, which no observable sees; the
/// action density reported is always the project's).
public enum ActionConvention: String, Sendable, Codable, CaseIterable {
    case project
    case flow
    case hopping

    /// Couplings in the project's convention, and the factor `c` with
    /// `phi_project = c phi_given`.
    public struct Mapped: Sendable, Equatable {
        public var massSquared: Double
        public var coupling: Double
        public var fieldScale: Double

        public init(massSquared: Double, coupling: Double, fieldScale: Double) {
            self.massSquared = massSquared
            self.coupling = coupling
            self.fieldScale = fieldScale
        }
    }

    /// Maps the given couplings (`first` is m2, M2 or kappa; `lam` is lambda or the
    /// convention's lam) on a `dimension`-dimensional lattice onto the project's.
    public func mapped(first: Double, lam: Double, dimension: Int) -> Mapped {
        switch self {
        case .project:
            return Mapped(massSquared: first, coupling: lam, fieldScale: 1)
        case .flow:
            return Mapped(massSquared: first, coupling: 6 * lam, fieldScale: 2.0.squareRoot())
        case .hopping:
            let kappa = first
            return Mapped(
                massSquared: (1 - 2 * lam) / kappa - 2 * Double(dimension), coupling: 6 * lam / (kappa * kappa),
                fieldScale: (2 * kappa).squareRoot())
        }
    }
}
