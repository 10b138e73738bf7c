import Lattice
import Output
import Statistics

/// The standard observables of Euclidean field configurations (docs/CONVENTIONS.md §1),
/// with `M = sum_x phi_x` over the V sites:
///
///     abs_magnetization = <|M|>/V,  chi2 = <M^2>/V,  binder = 1 - <M^4>/(3 <M^2>^2),
///     phi2 = <phi_x^2>,  link = (1/D) sum_mu <phi_x phi_{x+mu}>,  action = <S>/V,
///
/// each with its Gamma-method error and tau_int; the Binder cumulant, a function
/// of two means, through the projected series (`GammaMethod.estimate(of:gradient:series:)`).
/// Fields must be in the project's convention (the action's).
public struct ConfigurationObservables: Measurement {
    public let action: EuclideanAction
    /// Per record and chain: `|M|/V, M^2/V, M^4/V^2, phi2, link, S/V`.
    public private(set) var series: ReplicaSeries

    public static let names = ["abs_magnetization", "chi2", "binder", "phi2", "link", "action"]

    public init(action: EuclideanAction, chains: Int, reservingRecords records: Int = 0) {
        self.action = action
        series = ReplicaSeries(chains: chains, observables: 6, reservingRecords: records)
    }

    public mutating func record(_ sweep: MeasuredSweep) { record(sweep.fields) }

    /// Records one configuration per chain (`chains x V`).
    public mutating func record(_ fields: FieldBatch) {
        precondition(fields.sampleCount == series.chains && fields.siteCount == action.lattice.volume)
        let v = fields.siteCount, volume = Double(v), dimension = Double(action.lattice.dimension)
        let action = self.action
        series.appendRecord { out in
            fields.storage.withUnsafeBufferPointer { all in
                for c in 0..<fields.sampleCount {
                    let phi = all.baseAddress! + c * v
                    var m = 0.0
                    for x in 0..<v { m += phi[x] }
                    let terms = action.terms(phi)
                    // sum_x sum_mu phi_x phi_{x+mu} = D sum_x phi_x^2 - (1/2) sum_x sum_mu (phi_{x+mu} - phi_x)^2.
                    let links = dimension * terms.phi2 - 0.5 * (terms.temporal + terms.spatial)
                    let m2 = m * m / volume
                    let row = out.baseAddress! + c * 6
                    row[0] = abs(m) / volume
                    row[1] = m2
                    row[2] = m2 * m2
                    row[3] = terms.phi2 / volume
                    row[4] = links / (dimension * volume)
                    row[5] = action.action(terms) / volume
                }
            }
        }
    }

    public func results(gamma: GammaMethod) -> MeasurementResults {
        MeasurementResults(estimates: estimates(gamma: gamma))
    }

    /// The six estimates by name.
    public func estimates(gamma: GammaMethod = GammaMethod()) -> [String: Estimate] {
        let primary = gamma.estimates(series)
        // U4 = 1 - <m4>/(3 <m2>^2) with m2 = M^2/V, m4 = M^4/V^2 (the V's cancel).
        let a = primary[1].mean, b = primary[2].mean
        let binder = gamma.estimate(
            of: 1 - b / (3 * a * a), gradient: [0, 2 * b / (3 * a * a * a), -1 / (3 * a * a), 0, 0, 0], series: series)
        return [
            "abs_magnetization": primary[0], "chi2": primary[1], "binder": binder, "phi2": primary[3],
            "link": primary[4], "action": primary[5],
        ]
    }
}
