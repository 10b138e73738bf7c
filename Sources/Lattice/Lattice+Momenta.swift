import Foundation

/// Lattice momenta. The momentum with row-major index `i` over the full spectrum
/// has mode numbers `n_mu` (the coordinates of site `i`) and components
/// `k_mu = 2 pi n_mu / L_mu`; reported values use the representative in
/// `(-pi, pi]`, i.e. `n_mu > L_mu / 2` maps to `n_mu - L_mu` (docs/CONVENTIONS.md §1).
extension Lattice {
    /// Signed mode numbers `n_mu` in `(-L_mu/2, L_mu/2]` of momentum index `i`.
    public func modeNumbers(ofMomentum i: Int) -> [Int] {
        zip(coordinates(of: i), extent).map { n, l in 2 * n > l ? n - l : n }
    }

    /// `k_mu = 2 pi n_mu / L_mu` in `(-pi, pi]` of momentum index `i`.
    public func momentum(_ i: Int) -> [Double] {
        zip(modeNumbers(ofMomentum: i), extent).map { n, l in 2 * Double.pi * Double(n) / Double(l) }
    }

    /// Lattice momentum squared `khat^2 = sum_mu 4 sin^2(k_mu / 2)` of momentum index `i`:
    /// the eigenvalue of the literal periodic lattice Laplacian `-Delta` for the plane wave `exp(i k.x)`.
    public func latticeMomentumSquared(_ i: Int) -> Double {
        momentum(i).reduce(0) { sum, k in
            let s = sin(k / 2)
            return sum + 4 * s * s
        }
    }

    /// `khat^2` for every momentum index, row-major.
    public var latticeMomentaSquared: [Double] { (0..<volume).map(latticeMomentumSquared) }

    /// Signed separation `r_mu` in `(-L_mu/2, L_mu/2]` for a displacement stored at site index `i`.
    public func separation(_ i: Int) -> [Int] { modeNumbers(ofMomentum: i) }
}
