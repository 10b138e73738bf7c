import Lattice

/// The P points at which every network of an ensemble is evaluated: the sites of
/// a periodic lattice at spacing a (x = a n, n_mu = 0 ... L_mu - 1, row-major), or
/// a list of points in R^d.
public struct NetworkInputs: Sendable, Equatable {
    /// x_p, p < P, each of `dimension` components.
    public let points: [[Double]]
    public let dimension: Int
    /// The lattice the points are the sites of (nil for a list of points).
    public let lattice: Lattice?
    /// Component-major copy for the kernel: `coordinates[j * P + p]` = x_p^j.
    let coordinates: [Double]

    public var count: Int { points.count }

    /// The sites of `lattice` at spacing `spacing`.
    public init(lattice: Lattice, spacing: Double) {
        let points = (0..<lattice.volume).map { lattice.coordinates(of: $0).map { spacing * Double($0) } }
        self.init(points: points, dimension: lattice.extent.count, lattice: lattice)
    }

    /// A list of points, all of dimension `dimension`.
    public init(points: [[Double]], dimension: Int) {
        self.init(points: points, dimension: dimension, lattice: nil)
    }

    private init(points: [[Double]], dimension: Int, lattice: Lattice?) {
        self.points = points
        self.dimension = dimension
        self.lattice = lattice
        coordinates = (0..<dimension).flatMap { j in points.map { $0[j] } }
    }

    /// x_p . x_q.
    public func dot(_ p: Int, _ q: Int) -> Double { zip(points[p], points[q]).reduce(0) { $0 + $1.0 * $1.1 } }
}
