import LinearAlgebra

/// Real phi^4 theory on a periodic lattice (docs/CONVENTIONS.md §1):
///
///     F[phi] = sum_x [ 1/2 sum_mu (phi_{x+mu} - phi_x)^2 + 1/2 m2 phi_x^2 + (lambda/24) phi_x^4 ]
///
/// `F` is the potential part `V(phi)` of the Hamiltonian
/// `H = sum_x 1/2 pi_x^2 + V(phi)` on a d-dimensional spatial lattice, and the
/// Euclidean action `S[phi]` on a D-dimensional space-time lattice: one functional,
/// one code path (see `EuclideanAction`). The neighbour sum is literal: one bond
/// per site and direction, so a direction with `L_mu = 2` couples two sites twice
/// and one with `L_mu = 1` contributes nothing.
public struct ScalarTheory: Sendable, Equatable {
    public let lattice: Lattice
    /// Bare mass squared `m2`; may be negative when `lambda > 0`.
    public let massSquared: Double
    /// Quartic coupling `lambda`; the potential has `lambda/24 phi^4`.
    public let coupling: Double
    /// The lattice's neighbour tables, built once: every potential and gradient uses them.
    public let neighbours: NeighbourTable

    public init(lattice: Lattice, massSquared: Double, coupling: Double) {
        self.lattice = lattice
        self.massSquared = massSquared
        self.coupling = coupling
        neighbours = lattice.neighbours
    }

    /// True for `lambda = 0`, where the ground state is known exactly (`FreeTheory`).
    public var isFree: Bool { coupling == 0 }

    /// `V(phi)` for each field of the batch.
    ///
    /// - Complexity: O(B V d).
    public func potential(_ fields: FieldBatch) -> [Double] {
        precondition(fields.siteCount == lattice.volume, "field size does not match the lattice")
        let v = lattice.volume
        let forward = neighbours.forward
        let quartic = coupling / 24
        var result = [Double](repeating: 0, count: fields.sampleCount)
        fields.storage.withUnsafeBufferPointer { all in
            for b in 0..<fields.sampleCount {
                let phi = all.baseAddress! + b * v
                var kinetic = 0.0, local = 0.0
                for mu in 0..<lattice.dimension {
                    for x in 0..<v {
                        let d = phi[forward[mu * v + x]] - phi[x]
                        kinetic += d * d
                    }
                }
                for x in 0..<v {
                    let p2 = phi[x] * phi[x]
                    local += (0.5 * massSquared + quartic * p2) * p2
                }
                result[b] = 0.5 * kinetic + local
            }
        }
        return result
    }

    /// `dV/dphi_x = sum_mu (2 phi_x - phi_{x+mu} - phi_{x-mu}) + m2 phi_x + (lambda/6) phi_x^3`
    /// for each field of the batch (`B x V`).
    ///
    /// - Complexity: O(B V d).
    public func potentialGradient(_ fields: FieldBatch) -> FieldBatch {
        precondition(fields.siteCount == lattice.volume, "field size does not match the lattice")
        let v = lattice.volume
        let table = neighbours
        let cubic = coupling / 6
        var gradient = FieldBatch(rows: fields.sampleCount, columns: v)
        fields.storage.withUnsafeBufferPointer { all in
            gradient.storage.withUnsafeMutableBufferPointer { out in
                for b in 0..<fields.sampleCount {
                    let phi = all.baseAddress! + b * v
                    let g = out.baseAddress! + b * v
                    for x in 0..<v {
                        g[x] = (massSquared + cubic * phi[x] * phi[x]) * phi[x]
                    }
                    for mu in 0..<lattice.dimension {
                        for x in 0..<v {
                            g[x] += 2 * phi[x] - phi[table.forward[mu * v + x]] - phi[table.backward[mu * v + x]]
                        }
                    }
                }
            }
        }
        return gradient
    }
}
