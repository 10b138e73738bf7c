import Foundation

/// Exact ground-state results of the free theory (`lambda = 0`, `m2 > 0`), docs/CONVENTIONS.md §1.
///
/// The Hamiltonian is a set of decoupled oscillators, one per lattice momentum,
/// with frequencies `omega_k = sqrt(m2 + khat^2)`. The ground state is the Gaussian
/// `log psi_0 = -1/(2V) sum_k omega_k |phitilde_k|^2`, and
///
///     E0 = 1/2 sum_k omega_k,   G(k) = <|phitilde_k|^2> / V = 1 / (2 omega_k),
///     <phi_x^2> = G(r = 0) = (1/V) sum_k G(k).
///
/// Arrays are indexed by the row-major momentum index of `Lattice`.
public struct FreeTheory: Sendable, Equatable {
    public let lattice: Lattice
    public let massSquared: Double

    /// - Precondition: `m2 > 0` (the `k = 0` mode is otherwise unbound).
    public init(lattice: Lattice, massSquared: Double) {
        precondition(massSquared > 0, "the free theory needs m2 > 0")
        self.lattice = lattice
        self.massSquared = massSquared
    }

    /// `omega_k = sqrt(m2 + khat^2)` for every momentum.
    public var frequencies: [Double] { lattice.latticeMomentaSquared.map { (massSquared + $0).squareRoot() } }

    /// `E0 = 1/2 sum_k omega_k`, summed in ascending order of `omega_k` to limit rounding.
    public var groundStateEnergy: Double { 0.5 * frequencies.sorted().reduce(0, +) }

    /// `G(k) = 1 / (2 omega_k)` for every momentum.
    public var momentumCorrelator: [Double] { frequencies.map { 1 / (2 * $0) } }

    /// `<phi_x^2> = (1/V) sum_k 1 / (2 omega_k)`.
    public var fieldSquared: Double { momentumCorrelator.sorted().reduce(0, +) / Double(lattice.volume) }
}
