import Lattice
import Statistics

/// The ground-state energy of `H = sum_x 1/2 pi_x^2 + V(phi)` from its path
/// integral (`EuclideanAction` with temporal spacing eps, direction 0 time), by
/// the virial estimator: in an eigenstate `<T> = 1/2 <phi . grad V>` (the virial
/// theorem), so
///
///     E = < V + 1/2 phi . grad V > = < G + m2 P2 + (lambda/8) P4 >   per time slice,
///
/// with `G = sum_x sum_{mu spatial} (phi_{x+mu} - phi_x)^2`, `P2 = sum phi^2`,
/// `P4 = sum phi^4` (V's quadratic part counts twice, its quartic part three
/// times). It sees only equal-time fields, so it lacks the 1/eps-divergent
/// variance of the kinetic (thermodynamic) estimator; its mean differs from E0
/// by O(eps^2) (the symmetric Trotter error) and by excited states ~ exp(-beta gap).
public struct VirialEnergy: Measurement {
    public static let name = "energy"
    public let action: EuclideanAction
    public private(set) var series: ReplicaSeries

    public init(action: EuclideanAction, chains: Int, reservingRecords records: Int = 0) {
        self.action = action
        series = ReplicaSeries(chains: chains, observables: 1, reservingRecords: records)
    }

    public mutating func record(_ sweep: MeasuredSweep) { record(sweep.fields) }

    public mutating func record(_ fields: FieldBatch) {
        let v = fields.siteCount, action = self.action
        let slices = Double(action.lattice.extent[0])
        series.appendRecord { out in
            fields.storage.withUnsafeBufferPointer { all in
                for c in 0..<fields.sampleCount {
                    let t = action.terms(all.baseAddress! + c * v)
                    out[c] = (t.spatial + action.massSquared * t.phi2 + action.coupling / 8 * t.phi4) / slices
                }
            }
        }
    }

    public func results(gamma: GammaMethod) -> MeasurementResults {
        MeasurementResults(estimates: [Self.name: gamma.estimate(series)])
    }
}
