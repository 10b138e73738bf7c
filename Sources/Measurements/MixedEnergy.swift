import Lattice
import Statistics

/// The ground-state energy of `H = sum_x 1/2 pi_x^2 + V(phi)` from a projection
/// path integral (`EuclideanAction` with `ends`), by the mixed estimator
/// (Sarsa, Schmidt and Magro 2000; the estimator of diffusion Monte Carlo):
///
///     E(beta) = <psi_T| H e^{-beta H} |psi_T> / <psi_T| e^{-beta H} |psi_T> = < E_L(x_0) >_path,
///
/// because H acting to the left on psi_T gives E_L psi_T. It converges to E0 as
/// exp(-beta gap) in the gap to the first excited state psi_T overlaps (the
/// Hartree state is even and translation invariant, so the lowest even
/// zero-momentum excitation); at spacing eps the symmetric splitting leaves an
/// O(eps^2) error, removed by extrapolation. Its variance is E_L's spread around
/// E0, zero for an exact psi_T: a few per cent of the thermal virial estimator's
/// at lambda = 24 (BENCHMARKS.md, run 10). Both ends are averaged.
public struct MixedEnergy: Measurement {
    public static let name = "energy"
    public let action: EuclideanAction
    public let observables = 1

    /// - Precondition: `action` has `ends`.
    public init(action: EuclideanAction) {
        precondition(action.ends != nil, "the mixed estimator needs a projection path")
        self.action = action
    }

    public func record(_ sweep: MeasuredSweep, into out: UnsafeMutableBufferPointer<Double>) {
        guard let trial = action.ends else { return }
        let fields = sweep.fields
        let v = fields.siteCount, slice = trial.lattice.volume
        let last = (action.lattice.extent[0] - 1) * slice
        fields.storage.withUnsafeBufferPointer { all in
            for c in 0..<fields.sampleCount {
                let path = all.baseAddress! + c * v
                out[c] = 0.5 * (trial.localEnergy(path) + trial.localEnergy(path + last))
            }
        }
    }

    public func results(_ series: ReplicaSeries, _ analysis: Analysis) throws -> MeasurementResults {
        MeasurementResults(estimates: [Self.name: try analysis.estimates(series)[0]])
    }
}
