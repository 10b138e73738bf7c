import LinearAlgebra

/// The Euclidean lattice action of real phi^4 theory on a D-dimensional periodic
/// space-time lattice (docs/CONVENTIONS.md §1),
///
///     S[phi] = sum_x [ 1/2 sum_mu (phi_{x+mu} - phi_x)^2 + 1/2 m2 phi_x^2 + (lambda/24) phi_x^4 ],
///
/// and its force `-dS/dphi`, used to sample `exp(-S)`. It is the same functional as
/// the Hamiltonian's potential, so it delegates to `ScalarTheory`; other coupling
/// conventions are mapped onto this one by rescaling, never by a second code path.
public struct EuclideanAction: Sendable, Equatable {
    public let theory: ScalarTheory

    /// The action of `phi^4` theory with the given couplings on a space-time lattice.
    public init(lattice: Lattice, massSquared: Double, coupling: Double) {
        theory = ScalarTheory(lattice: lattice, massSquared: massSquared, coupling: coupling)
    }

    /// `S[phi]` for each field of the batch.
    public func value(_ fields: FieldBatch) -> [Double] { theory.potential(fields) }

    /// The force `-dS/dphi_x` for each field of the batch (`B x V`).
    public func force(_ fields: FieldBatch) -> FieldBatch {
        var f = theory.potentialGradient(fields)
        for i in f.storage.indices { f.storage[i] = -f.storage[i] }
        return f
    }
}
