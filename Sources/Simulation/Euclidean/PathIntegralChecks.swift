import Foundation
import Lattice
import SimulationConfig
import Statistics

/// The checks a path integral's E0 needs beyond its statistical error: that
/// the spacings are in the regime the eps -> 0 extrapolation assumes, that the
/// fit describes the points, and that beta projects out the excited states.
///
/// The symmetric Trotter splitting's error is a series in (eps omega)^2 for the
/// theory's frequencies omega (for the oscillator, E(eps) - E0 = omega
/// (eps omega)^2 / 24 + O(eps^4)); the extrapolation E0 + b eps^2 (+ c eps^4) is
/// an asymptotic law that holds only for eps omega_max well below 1. omega_max is
/// estimated from the Gaussian (Hartree) state the path starts from: its
/// effective mass mu2, or a double well's curvature at its minima -2 m2 when
/// larger, plus the spatial lattice's largest khat^2 = 4 d: omega_max^2 =
/// max(mu2, -2 m2) + 4 d. A stiff potential (lambda = 1e8: mu ~ (lambda/4)^(1/3)
/// ~ 290) or a deep double well (m2 = -20: omega ~ 6.3) puts every practical
/// spacing outside that regime; the extrapolated E0 can then miss E0 by many of
/// its errors with a fit that looks fine. That is said in `warnings`.
struct PathIntegralChecks {
    /// eps_max omega_max.
    let trotterParameter: Double
    var warnings: [String] = []
    var notes: [String] = []

    /// The largest trotter parameter at which the eps^2 law is taken to hold.
    static let trotterLimit = 1.0

    init(configuration c: EuclideanConfiguration, spacings: [Double], energies: [Estimate], fit: ContinuumExtrapolation) {
        let beta = c.pathIntegral?.beta ?? 0
        let mapped = c.mappedTheory
        let trial = c.trialState
        let mu2 = max(trial?.effectiveMassSquared ?? mapped.massSquared, -2 * mapped.massSquared, 0)
        let omega = (mu2 + 4 * Double(c.lattice.extent.filter { $0 > 1 }.count)).squareRoot()
        let largest = spacings.max() ?? 0
        trotterParameter = largest * omega
        notes.append(
            "E0 extrapolated as E(eps) = E0 + b eps^2\(fit.curvature != 0 ? " + c eps^4" : "") over eps = \(spacings) at beta = \(beta); error = sqrt(statistical^2 + fit^2)")
        if trotterParameter > Self.trotterLimit {
            warnings.append(String(
                format: "the extrapolation assumes the Trotter error's eps^2 regime, eps omega_max << 1, but the largest spacing has eps omega_max = %.3g (omega_max = %.4g from the trial state's mass and the lattice): E0 may be off by many of its errors; use spacings below %.3g",
                trotterParameter, omega, Self.trotterLimit / omega))
        }
        if fit.degreesOfFreedom > 0, fit.chi2 / Double(fit.degreesOfFreedom) > 3 {
            warnings.append(String(
                format: "the eps -> 0 extrapolation fits poorly (chi2/dof = %.2f): use smaller spacings", fit.chi2 / Double(fit.degreesOfFreedom)))
        }
        if let trial {
            let mu = trial.effectiveMassSquared.squareRoot()
            notes.append(String(
                format: "trial state at the path's ends: Gaussian (Hartree) mu2 = %.6g, v = %.6g, Gaussian energy %.10g", mu * mu, trial.shift,
                trial.gaussianEnergy))
            // The mixed estimator exceeds E0 by sum_n |a_n/a_0|^2 (E_n - E0) e^{-beta (E_n - E0)}
            // <= (E_T - E0) e^{-beta gap}, and E_T - E0 <= sigma_T^2 / gap (Temple's bound, to
            // leading order) with sigma_T^2 E_L's variance, measured: error^2 N / (2 tau_int).
            // The gap to the lowest excitation psi_T overlaps (even, zero momentum: two quanta)
            // is estimated as 2 mu.
            if let last = energies.last {
                let variance = last.error * last.error * Double(c.measurement.samples) / (2 * max(0.5, last.tauInt))
                let contamination = variance / (2 * mu) * exp(-2 * mu * beta)
                if contamination > fit.error {
                    warnings.append(String(
                        format: "path_integral.beta = %g may be too short: excited states may add up to sigma_T^2/(2 mu) exp(-2 mu beta) = %.2g (2 mu = %.3g, the Hartree gap estimate), more than the error %.2g; increase beta",
                        beta, contamination, 2 * mu, fit.error))
                }
            }
        }
    }
}
