import Lattice
import Output
import Statistics

/// The standard observables of Euclidean field configurations (docs/CONVENTIONS.md §1):
/// the order parameter's `abs_magnetization`, `chi2` and `binder` (`OrderParameter`) and
///
///     phi2 = <phi_x^2>,  link = (1/D) sum_mu <phi_x phi_{x+mu}>,  action = <S>/V,
///
/// each with its Gamma-method error and tau_int. Fields must be in the project's
/// convention (the action's).
public struct ConfigurationObservables: Measurement {
    public let action: EuclideanAction
    /// Per record and chain: `OrderParameter.moments`, then `phi2, link, S/V`.
    public let observables = 6

    public static let names = ["abs_magnetization", "chi2", "binder", "phi2", "link", "action"]

    public init(action: EuclideanAction) {
        self.action = action
    }

    public func record(_ sweep: MeasuredSweep, into out: UnsafeMutableBufferPointer<Double>) {
        let fields = sweep.fields
        precondition(fields.siteCount == action.lattice.volume)
        let v = fields.siteCount, volume = Double(v), dimension = Double(action.lattice.dimension)
        fields.storage.withUnsafeBufferPointer { all in
            for c in 0..<fields.sampleCount {
                let phi = all.baseAddress! + c * v
                let row = out.baseAddress! + c * 6
                OrderParameter.moments(phi, sites: v, into: row)
                let terms = action.terms(phi)
                // sum_x sum_mu phi_x phi_{x+mu} = D sum_x phi_x^2 - (1/2) sum_x sum_mu (phi_{x+mu} - phi_x)^2.
                let links = dimension * terms.phi2 - 0.5 * (terms.temporal + terms.spatial)
                row[3] = terms.phi2 / volume
                row[4] = links / (dimension * volume)
                row[5] = action.action(terms) / volume
            }
        }
    }

    public func results(_ series: ReplicaSeries, _ analysis: Analysis) throws -> MeasurementResults {
        let primary = try analysis.estimates(series)
        let estimates = try OrderParameter.estimates(primary: primary, series: series, offset: 0, analysis: analysis)
        return MeasurementResults(estimates: estimates.merging(["phi2": primary[3], "link": primary[4], "action": primary[5]]) { a, _ in a })
    }
}
