internal import CKernels
/// A periodic hypercubic lattice in 1 to 4 dimensions with spacing a = 1 (a spatial
/// lattice has d <= 3; a Euclidean space-time lattice D <= 4).
///
/// Sites are numbered row-major (last coordinate fastest), the order FFTW uses for
/// multi-dimensional arrays, so a field is one contiguous array of length `volume`.
/// Extents may differ per direction and may be 1 or 2; neighbours follow the
/// literal periodic rule `x + mu (mod L_mu)` (docs/CONVENTIONS.md §1), so for `L_mu = 2` both
/// neighbours are the same site and for `L_mu = 1` a site is its own neighbour.
public struct Lattice: Sendable, Equatable, Hashable, Codable {
    /// `L_1 ... L_d`.
    public let extent: [Int]

    /// Creates a lattice; every extent must be at least 1, and 1 to 4 of them.
    public init(extent: [Int]) {
        precondition((1...4).contains(extent.count), "a lattice has 1 to 4 dimensions")
        precondition(extent.allSatisfy { $0 >= 1 }, "lattice extents must be >= 1")
        self.extent = extent
    }

    /// Number of spatial dimensions d.
    public var dimension: Int { extent.count }

    /// Number of sites V = prod L_mu.
    public var volume: Int { extent.reduce(1, *) }

    /// Row-major strides: `site = sum_mu coordinate[mu] * stride[mu]`.
    public var strides: [Int] {
        var s = [Int](repeating: 1, count: dimension)
        for mu in stride(from: dimension - 2, through: 0, by: -1) { s[mu] = s[mu + 1] * extent[mu + 1] }
        return s
    }

    /// Coordinates `(x_1 ... x_d)`, each in `0..<L_mu`, of a site.
    public func coordinates(of site: Int) -> [Int] {
        var rest = site
        var c = [Int](repeating: 0, count: dimension)
        for mu in stride(from: dimension - 1, through: 0, by: -1) {
            c[mu] = rest % extent[mu]
            rest /= extent[mu]
        }
        return c
    }

    /// The site at the given coordinates, taken modulo the extents.
    public func site(at coordinates: [Int]) -> Int {
        precondition(coordinates.count == dimension)
        var s = 0
        for mu in 0..<dimension {
            let l = extent[mu]
            s = s * l + ((coordinates[mu] % l) + l) % l
        }
        return s
    }

    /// `neighbours.forward[mu * V + x]` is `x + mu`, `neighbours.backward[mu * V + x]` is `x - mu`.
    public var neighbours: NeighbourTable { NeighbourTable(self) }
}

/// Nearest-neighbour tables of a lattice, direction-major: entry `mu * V + x`.
public struct NeighbourTable: Sendable, Equatable {
    public let forward: [Int]
    public let backward: [Int]

    init(_ lattice: Lattice) {
        let v = lattice.volume
        var forward = [Int](repeating: 0, count: lattice.dimension * v)
        var backward = forward
        for x in 0..<v {
            let c = lattice.coordinates(of: x)
            for mu in 0..<lattice.dimension {
                var up = c, down = c
                up[mu] += 1
                down[mu] -= 1
                forward[mu * v + x] = lattice.site(at: up)
                backward[mu * v + x] = lattice.site(at: down)
            }
        }
        self.forward = forward
        self.backward = backward
    }
}

extension Lattice {
    /// `y += a x` over the lattice's sites (vectorised: the molecular-dynamics drift).
    public func addScaled(_ y: UnsafeMutablePointer<Double>, _ x: UnsafePointer<Double>, _ a: Double) {
        nqft_add_scaled(y, x, a, Int64(volume))
    }

    /// `sum_x a_x b_x` over the lattice's sites (vectorised: kinetic energies).
    public func dot(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>) -> Double {
        nqft_dot(a, b, Int64(volume))
    }
}
