internal import CKernels
import Foundation

/// The Euclidean lattice action of real phi^4 theory on a D-dimensional periodic
/// space-time lattice (docs/CONVENTIONS.md §1), with an optional temporal spacing
/// `a_t` along direction 0 (spatial spacing 1):
///
///     S[phi] = sum_x [ (1/(2 a_t)) (phi_{x+0} - phi_x)^2
///                      + a_t ( 1/2 sum_{mu>=1} (phi_{x+mu} - phi_x)^2 + 1/2 m2 phi_x^2 + (lambda/24) phi_x^4 ) ].
///
/// With `a_t = 1` this is the isotropic action, the same functional as the
/// Hamiltonian's potential (`ScalarTheory`); with `a_t = eps` it is the
/// symmetric Trotter path integral of that Hamiltonian on `D - 1` spatial
/// dimensions (docs/CONVENTIONS.md §1, path integral). Other coupling conventions
/// are mapped onto this one by `ActionConvention`, never by a second code path.
///
/// With `ends` (a trial state psi_T), direction 0 is open instead: the path
/// integral of ground-state projection (PIGS; Sarsa, Schmidt and Magro, J. Chem.
/// Phys. 113 (2000) 1366) over slices x_0 ... x_T,
///
///     S = sum_{j<T} |x_{j+1} - x_j|^2/(2 eps) + eps sum_{0<j<T} V(x_j) + eps/2 (V(x_0) + V(x_T))
///         - log psi_T(x_0) - log psi_T(x_T),
///
/// the weight of <psi_T| (e^{-eps V/2} e^{-eps T} e^{-eps V/2})^T |psi_T>. It is
/// the periodic action minus the wrap-around link and half the end slices'
/// potential, plus the trial terms: the bulk keeps the fast periodic kernels and
/// the ends cost O(V_s log V_s) per force.
///
/// The action is a value and its force `-dS/dphi` (the HMC kick); both work on
/// one configuration in place, so a sampler allocates nothing per step on the heap.
public struct EuclideanAction: Sendable, Equatable {
    public let lattice: Lattice
    public let massSquared: Double
    public let coupling: Double
    /// `a_t`, the spacing of direction 0 in units of the spatial spacing.
    public let temporalSpacing: Double
    /// The trial state at both ends of an open direction 0 (nil: periodic).
    public let ends: GaussianTrialState?
    /// Per direction, the site pairs `(x, x + mu)` as contiguous runs
    /// `(first x, first x + mu, length)`: in row-major order a direction with
    /// stride s > 1 shifts whole runs of s sites, and the last direction shifts
    /// each row by one (a run of L - 1 and the wrap-around). The stencil loops run
    /// over these, unit stride, so they vectorise (a neighbour table would gather).
    private let runs: [[Run]]
    /// The kick's per-direction weights (1/a_t, then a_t) and extents, made once.
    private let kickWeights: [Double]
    private let kickExtent: [Int64]

    struct Run: Sendable, Equatable {
        var site: Int
        var neighbour: Int
        var count: Int
    }

    /// - Precondition: with `ends`, at least two slices and `ends` on the spatial lattice
    ///   (extents 1...) with the same couplings.
    public init(lattice: Lattice, massSquared: Double, coupling: Double, temporalSpacing: Double = 1, ends: GaussianTrialState? = nil) {
        if let ends {
            precondition(lattice.extent[0] >= 2 && ends.lattice.extent == Array(lattice.extent.dropFirst()), "the trial state lives on one time slice")
        }
        self.ends = ends
        self.lattice = lattice
        self.massSquared = massSquared
        self.coupling = coupling
        self.temporalSpacing = temporalSpacing
        runs = Self.runs(lattice)
        kickWeights = (0..<lattice.dimension).map { $0 == 0 ? 1 / temporalSpacing : temporalSpacing }
        kickExtent = lattice.extent.map(Int64.init)
    }

    private static func runs(_ lattice: Lattice) -> [[Run]] {
        let v = lattice.volume, strides = lattice.strides
        return (0..<lattice.dimension).map { mu in
            let l = lattice.extent[mu], s = strides[mu], outer = v / (l * s)
            var list: [Run] = []
            for o in 0..<outer {
                let start = o * l * s
                if s == 1 && l > 1 {
                    list.append(Run(site: start, neighbour: start + 1, count: l - 1))
                    list.append(Run(site: start + l - 1, neighbour: start, count: 1))
                } else {
                    for i in 0..<l { list.append(Run(site: start + i * s, neighbour: start + ((i + 1) % l) * s, count: s)) }
                }
            }
            return list
        }
    }

    /// The bare sums the periodic action is made of (per configuration, over all sites;
    /// with `ends`, of the periodic bulk, wrap-around link included):
    /// `temporal = sum_x (phi_{x+0} - phi_x)^2`, `spatial = sum_x sum_{mu>=1} (...)^2`,
    /// `phi2 = sum_x phi_x^2`, `phi4 = sum_x phi_x^4`. Observables (the link, the
    /// virial energy) are linear in them.
    public struct Terms: Sendable, Equatable {
        public var temporal = 0.0
        public var spatial = 0.0
        public var phi2 = 0.0
        public var phi4 = 0.0
    }

    /// The terms of one configuration (`V` values).
    ///
    /// - Complexity: O(V D).
    public func terms(_ phi: UnsafePointer<Double>) -> Terms {
        let v = lattice.volume
        var t = Terms()
        for mu in 0..<lattice.dimension {
            var sum = 0.0
            for run in runs[mu] { sum += nqft_squared_difference(phi + run.site, phi + run.neighbour, Int64(run.count)) }
            if mu == 0 { t.temporal = sum } else { t.spatial += sum }
        }
        var moments = (0.0, 0.0)
        withUnsafeMutablePointer(to: &moments) { m in
            m.withMemoryRebound(to: Double.self, capacity: 2) { nqft_moments(phi, Int64(v), $0) }
        }
        t.phi2 = moments.0
        t.phi4 = moments.1
        return t
    }

    /// `S` from its terms.
    public func action(_ t: Terms) -> Double {
        t.temporal / (2 * temporalSpacing)
            + temporalSpacing * (0.5 * t.spatial + 0.5 * massSquared * t.phi2 + coupling / 24 * t.phi4)
    }

    /// `S[phi]` of one configuration.
    public func action(_ phi: UnsafePointer<Double>) -> Double {
        guard let ends else { return action(terms(phi)) }
        let vs = ends.lattice.volume, eps = temporalSpacing
        let last = phi + (lattice.extent[0] - 1) * vs
        return withUnsafeTemporaryAllocation(of: Double.self, capacity: vs + ends.kernel.scratchCount) { scratch in
            func endTerms(_ end: UnsafePointer<Double>) -> Double {
                -eps / 2 * ends.potential.action(end) - ends.applyKernel(end, into: scratch.baseAddress!, spectrum: scratch.baseAddress! + vs)
            }
            return action(terms(phi)) - nqft_squared_difference(phi, last, Int64(vs)) / (2 * eps) + endTerms(phi) + endTerms(last)
        }
    }

    /// `p += h (F - F_periodic)` on the two end slices: the force of the terms `ends`
    /// adds to the periodic action (nothing without `ends`),
    ///
    ///     f_e += (x_e - x_o)/eps + (eps/2) grad V(x_e) + grad log psi_T(x_e)    (e one end, o the other).
    private func addEndForce(_ p: UnsafeMutablePointer<Double>, by h: Double, at phi: UnsafePointer<Double>) {
        guard let ends else { return }
        let vs = ends.lattice.volume, eps = temporalSpacing
        let last = (lattice.extent[0] - 1) * vs
        withUnsafeTemporaryAllocation(of: Double.self, capacity: 2 * vs + ends.kernel.scratchCount) { scratch in
            let force = scratch.baseAddress!, gradient = force + vs
            func correct(end e: Int, other o: Int) {
                ends.potential.force(phi + e, into: force)
                _ = ends.negativeLogPsi(phi + e, gradient: gradient, spectrum: gradient + vs)
                for x in 0..<vs {
                    p[e + x] += h * ((phi[e + x] - phi[o + x]) / eps - eps / 2 * force[x] - gradient[x])
                }
            }
            correct(end: 0, other: last)
            correct(end: last, other: 0)
        }
    }

    /// Writes the force `f_x = -dS/dphi_x` of one configuration:
    ///
    ///     dS/dphi_x = (1/a_t) (2 phi_x - phi_{x+0} - phi_{x-0})
    ///               + a_t [ sum_{mu>=1} (2 phi_x - phi_{x+mu} - phi_{x-mu}) + m2 phi_x + (lambda/6) phi_x^3 ].
    ///
    /// - Complexity: O(V D).
    public func force(_ phi: UnsafePointer<Double>, into f: UnsafeMutablePointer<Double>) {
        let v = lattice.volume, d = lattice.dimension
        let at = temporalSpacing, cubic = coupling / 6
        // The site-local part, then one pass per direction (unit-stride reads of phi).
        let diagonal = 2 / at + at * (2 * Double(d - 1) + massSquared)
        nqft_local_force(f, phi, diagonal, at * cubic, Int64(v))
        for mu in 0..<d {
            let w = mu == 0 ? 1 / at : at
            // Each pair (x, x + mu) adds phi_{x+mu} to f_x and phi_x to f_{x+mu}:
            // two passes, so neither writes what the other reads.
            for run in runs[mu] { nqft_add_scaled(f + run.site, phi + run.neighbour, w, Int64(run.count)) }
            for run in runs[mu] { nqft_add_scaled(f + run.neighbour, phi + run.site, w, Int64(run.count)) }
        }
        addEndForce(f, by: 1, at: phi)
    }

    /// `p += h F(phi)` with the force of `force(_:into:)`, in one pass over the
    /// lattice (the HMC kick; no force array is written and read back).
    public func kick(_ p: UnsafeMutablePointer<Double>, by h: Double, at phi: UnsafePointer<Double>) {
        let d = lattice.dimension, at = temporalSpacing
        let diagonal = 2 / at + at * (2 * Double(d - 1) + massSquared)
        kickWeights.withUnsafeBufferPointer { w in
            kickExtent.withUnsafeBufferPointer { e in
                nqft_kick(p, phi, h, diagonal, at * coupling / 6, w.baseAddress, e.baseAddress, Int64(d))
            }
        }
        addEndForce(p, by: h, at: phi)
    }

    /// The free part's kernel in momentum space, `K(k) = (1/a_t) khat_0^2 + a_t (sum_{mu>=1} khat_mu^2 + mass2)`,
    /// for every momentum (row-major): `S_free = (1/2V) sum_k K(k) |phitilde_k|^2`. With
    /// `mass2 = m2` and `lambda = 0` this is the whole action, so `<|phitilde_k|^2>/V = 1/K(k)`.
    /// With `ends` it is the periodic bulk's kernel (a valid HMC mass matrix, not the exact one).
    public func freeKernel(massSquared mass2: Double) -> [Double] {
        (0..<lattice.volume).map { i in
            let n = lattice.coordinates(of: i)
            var spatial = 0.0, temporal = 0.0
            for mu in 0..<lattice.dimension {
                let s = 2 * sin(Double.pi * Double(n[mu]) / Double(lattice.extent[mu]))
                if mu == 0 { temporal = s * s } else { spatial += s * s }
            }
            return temporal / temporalSpacing + temporalSpacing * (spatial + mass2)
        }
    }
}
