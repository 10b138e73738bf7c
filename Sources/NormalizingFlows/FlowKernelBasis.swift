import Foundation
import FourierTransform
import Lattice

/// The translation-invariant kernels of the kernel-coupling flow, as fixed functions
/// of the lattice momentum whose definitions do not depend on the lattice's
/// size — so a flow trained on an L x L lattice is the same flow on 2L x 2L:
///
///     b_0(k) = 1                                         (the site itself)
///     b_j(k) = e_j / (e_j + s(k)),  s = khat^2 / (4 D)    (j = 1..6, e_j = 0.2, 0.05 ... 0.0002)
///     b_o(k) = (1/|o|) sum_{r in o} cos(k . r)            (orbits o of offsets 0 < |r|_inf <= 2)
///
/// The rational functions are propagator-like: in position space they decay as
/// exp(-|r| sqrt(4 D e_j)), lattice-wide kernels with correlation lengths from
/// about 0.8 to 25 sites in two dimensions (on lattices smaller than a length
/// the function is nearly the zero mode alone: a coupling to the lattice's mean
/// field), which carry the long-distance physics near criticality;
/// the orbit sums are short-range kernels with free weights per orbit. The
/// flow's Gaussian layer (the log of a propagator's square root) has besides
/// these the logarithms `log(e_j + s(k))`, in whose span are the free
/// propagators' `-1/2 log(khat^2 + m^2)` near the scales and power laws
/// `k^{-2 + eta}` of a critical propagator. Every
/// basis function is real and even in k and invariant under the lattice's
/// point group (reflections, and permutations of axes of equal extent: the
/// orbits are those of `LatticeSymmetry`), so every kernel built from them is a
/// symmetric convolution: the flow commutes with translations and with the
/// point group exactly.
public struct FlowKernelBasis: Sendable {
    /// The lattice the functions are evaluated on.
    public let lattice: Lattice
    /// `values[j][h]`: b_j at element h of the half spectrum.
    public let values: [[Double]]
    /// The Gaussian layer's functions: `values`, then log(e_j + s(k)).
    public let gaussianValues: [[Double]]

    /// The rational functions' scales e_j.
    public static let scales = [0.2, 0.05, 0.0125, 0.003, 0.0008, 0.0002]
    /// The range of the free short-range kernel (offsets with |r_mu| <= range).
    public static let range = 2

    /// The number of functions in `dimension` dimensions (independent of the extents).
    public static func count(dimension: Int) -> Int { 1 + scales.count + offsetOrbits(dimension: dimension).count }

    /// The number of the Gaussian layer's functions.
    public static func gaussianCount(dimension: Int) -> Int { count(dimension: dimension) + scales.count }

    /// The orbits of the nonzero offsets with |r_mu| <= range under reflections
    /// and permutations of axes: one representative each, sorted, |r| ascending.
    static func offsetOrbits(dimension d: Int) -> [[Int]] {
        var orbits = Set<[Int]>()
        func visit(_ prefix: [Int]) {
            if prefix.count == d {
                if prefix.contains(where: { $0 != 0 }) { orbits.insert(prefix.sorted(by: >)) }
                return
            }
            for x in 0...range { visit(prefix + [x]) }
        }
        visit([])
        return orbits.sorted { a, b in
            let (na, nb) = (a.reduce(0) { $0 + $1 * $1 }, b.reduce(0) { $0 + $1 * $1 })
            return na != nb ? na < nb : a.lexicographicallyPrecedes(b)
        }
    }

    public init(lattice: Lattice, spectrum: HalfSpectrum) {
        self.lattice = lattice
        let d = lattice.dimension
        // Every offset of each orbit, made from its representative by sign flips and permutations.
        let orbits = Self.offsetOrbits(dimension: d).map { representative -> [[Int]] in
            var members = Set<[Int]>()
            func permutations(_ a: [Int]) -> [[Int]] {
                guard a.count > 1 else { return [a] }
                return a.indices.flatMap { i -> [[Int]] in
                    var rest = a
                    let x = rest.remove(at: i)
                    return permutations(rest).map { [x] + $0 }
                }
            }
            for p in permutations(representative) {
                for signs in 0..<(1 << d) {
                    members.insert(p.enumerated().map { (signs >> $0.offset) & 1 == 1 ? -$0.element : $0.element })
                }
            }
            // Sorted: a Set's order changes from process to process, and with it the sum's rounding.
            return members.sorted { $0.lexicographicallyPrecedes($1) }
        }
        var values: [[Double]] = []
        let momenta = spectrum.fullIndex.map { lattice.momentum($0) }
        let s = spectrum.fullIndex.map { lattice.latticeMomentumSquared($0) / (4 * Double(d)) }
        values.append([Double](repeating: 1, count: spectrum.count))
        for e in Self.scales { values.append(s.map { e / (e + $0) }) }
        for members in orbits {
            values.append(momenta.map { k in
                members.reduce(0.0) { sum, r in sum + cos(zip(k, r).reduce(0) { $0 + $1.0 * Double($1.1) }) } / Double(members.count)
            })
        }
        self.values = values
        gaussianValues = values + Self.scales.map { e in s.map { log(e + $0) } }
    }

    public var count: Int { values.count }
}
