import FourierTransform
import Foundation
import Lattice

/// The correlators of a finished ensemble: G2 at every pair of inputs, the
/// connected four-point functions, and for a translation-invariant lattice
/// ensemble G(k) and G(r), each beside the prior's exact value.
public struct EnsembleCorrelators: Sendable {
    public let moments: EnsembleMoments
    public let prior: any NetworkPrior

    public init(moments: EnsembleMoments, prior: any NetworkPrior) {
        self.moments = moments
        self.prior = prior
    }

    /// G2(x_p, x_q) for p >= q.
    public func twoPoint(_ p: Int, _ q: Int) -> CorrelatorValue {
        CorrelatorValue(rawMoments: moments.pairMoments(p, q), count: moments.networks, exact: prior.twoPoint(p, q))
    }

    /// Every pair p >= q, row-major.
    public var twoPoints: [(p: Int, q: Int, value: CorrelatorValue)] {
        let n = moments.points
        return (0..<n).flatMap { p in (0...p).map { q in (p, q, twoPoint(p, q)) } }
    }

    /// G4c = <abcd> - <ab><cd> - <ac><bd> - <ad><bc> for every quadruple (index P:
    /// M = sum phi, the value then divided by V), its error by a jackknife over the
    /// blocks (Quenouille 1956; Efron and Stein 1981), the error of the error from
    /// the pseudo-values' fourth moment. `exact` gives NaN where no exact value exists.
    public func fourPoints(exact: ([Int]) -> Double) -> [(points: [Int], value: CorrelatorValue)] {
        let sums = EnsembleMoments.quadrupleSums
        let blocks = moments.blockSums.indices.filter { moments.blockNetworks[$0] > 0 }
        return moments.quadruples.enumerated().map { q, set in
            let base = q * sums
            let total = (0..<sums).map { i in blocks.reduce(0.0) { $0 + moments.blockSums[$1][base + i] } }
            let scale = set.contains(moments.points) ? 1 / Double(moments.points) : 1
            func estimate(_ s: [Double], _ n: Double) -> Double {
                let m = s.map { $0 / n }
                return scale * (m[0] - m[1] * m[2] - m[3] * m[4] - m[5] * m[6])
            }
            let m = Double(moments.networks)
            let full = estimate(total, m)
            let b = Double(blocks.count)
            let pseudo = blocks.map { block in
                let s = (0..<sums).map { total[$0] - moments.blockSums[block][base + $0] }
                return b * full - (b - 1) * estimate(s, m - Double(moments.blockNetworks[block]))
            }
            let mean = pseudo.reduce(0, +) / b
            let mu2 = pseudo.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / b
            let mu4 = pseudo.reduce(0) { $0 + pow4($1 - mean) } / b
            return (set, CorrelatorValue(value: full, centralMoments: (mu2, mu4), count: blocks.count, exact: exact(set)))
        }
    }

    /// G(k) = <|phitilde_k|^2>/V for every momentum (row-major index), nil off a periodic lattice.
    public func momentumTwoPoints(exact: (Int) -> Double) -> [CorrelatorValue]? {
        guard let powers = moments.momentumPowers, let lattice = prior.inputs.lattice else { return nil }
        let spectrum = HalfSpectrum(extent: lattice.extent)
        let h = powers.count / 4, n = Double(moments.networks)
        return (0..<lattice.volume).map { i in
            let e = spectrum.elementOfMomentum[i]
            return CorrelatorValue(rawMoments: (0..<4).map { powers[$0 * h + e] / n }, count: moments.networks, exact: exact(i))
        }
    }

    /// G(r) = (1/V) sum_x <phi_x phi_{x+r}> for every separation (row-major index).
    public func positionTwoPoints(exact: (Int) -> Double) -> [CorrelatorValue]? {
        guard let powers = moments.positionPowers else { return nil }
        let v = moments.points, n = Double(moments.networks)
        return (0..<v).map { r in
            CorrelatorValue(rawMoments: (0..<4).map { powers[$0 * v + r] / n }, count: moments.networks, exact: exact(r))
        }
    }
}

private func pow4(_ x: Double) -> Double { x * x * x * x }
