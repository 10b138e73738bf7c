/// A Euclidean action as the samplers of exp(-S) need it (Grid's habit: an
/// action is a value and a force): HMC integrates its force, a flow trains on its
/// value and force and independence Metropolis weighs by its value, each through
/// this protocol alone — so a new action touches no sampler, and a new sampler
/// no action. `EuclideanAction` (phi^4 in the project's convention, periodic or
/// with a projection path's ends) is the one so far.
public protocol LatticeAction: Sendable {
    /// The (space-time) lattice the fields live on.
    var lattice: Lattice { get }

    /// `S[phi]` of one configuration (`V` values).
    func action(_ phi: UnsafePointer<Double>) -> Double

    /// `f_x = -dS/dphi_x` of one configuration.
    func force(_ phi: UnsafePointer<Double>, into f: UnsafeMutablePointer<Double>)

    /// `p += h f(phi)`: the molecular-dynamics kick (an action may fuse it).
    func kick(_ p: UnsafeMutablePointer<Double>, by h: Double, at phi: UnsafePointer<Double>)
}

extension LatticeAction {
    public func kick(_ p: UnsafeMutablePointer<Double>, by h: Double, at phi: UnsafePointer<Double>) {
        let v = lattice.volume
        withUnsafeTemporaryAllocation(of: Double.self, capacity: v) { f in
            force(phi, into: f.baseAddress!)
            for x in 0..<v { p[x] += h * f[x] }
        }
    }
}

extension EuclideanAction: LatticeAction {}
