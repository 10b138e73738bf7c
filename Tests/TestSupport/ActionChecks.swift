import Lattice

/// The two checks every action's force gets, on one test field of `seed`.
public enum ActionCheck {
    /// The largest relative deviation of `force` from `-grad S` by central differences (step 1e-5).
    public static func forceDeviation(_ action: EuclideanAction, seed: UInt64) -> Double {
        let v = action.lattice.volume
        let phi = testFields(samples: 1, sites: v, seed: seed).storage
        let numeric = FiniteDifference.gradient({ x in x.withUnsafeBufferPointer { action.action($0.baseAddress!) } }, at: phi, step: 1e-5)
        return maxRelativeDeviation(force(action, phi), numeric.map { -$0 })
    }

    /// The largest relative deviation of the kick `p += h F` (from p = 1/4, h = 1/2) from the force.
    public static func kickDeviation(_ action: EuclideanAction, seed: UInt64) -> Double {
        let v = action.lattice.volume
        let phi = testFields(samples: 1, sites: v, seed: seed).storage
        var p = [Double](repeating: 0.25, count: v)
        phi.withUnsafeBufferPointer { f in p.withUnsafeMutableBufferPointer { action.kick($0.baseAddress!, by: 0.5, at: f.baseAddress!) } }
        return maxRelativeDeviation(p, force(action, phi).map { 0.25 + 0.5 * $0 })
    }

    static func force(_ action: EuclideanAction, _ phi: [Double]) -> [Double] {
        var f = [Double](repeating: 0, count: phi.count)
        phi.withUnsafeBufferPointer { p in f.withUnsafeMutableBufferPointer { action.force(p.baseAddress!, into: $0.baseAddress!) } }
        return f
    }
}
