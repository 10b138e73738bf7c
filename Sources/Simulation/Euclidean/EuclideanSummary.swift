import Correlators
import ExactDiagonalization
import Foundation
import Lattice
import Measurements
import Output
import SimulationConfig
import Statistics

/// summary.json of a Euclidean or path-integral run (docs/CONVENTIONS.md §3), and
/// its CSV tables. Keys are sorted on output; non-finite numbers are left out.
struct EuclideanSummary: Encodable {
    struct Value: Encodable {
        var mean, error, tauInt: Double
        /// The free field's exact value (lambda = 0).
        var exact: Double?
        enum CodingKeys: String, CodingKey { case mean, error, exact, tauInt = "tau_int" }

        /// A value that is not finite for the data (a Binder cumulant of zero
        /// fields) is left out, never written as a number.
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            for (key, value) in [(CodingKeys.mean, mean), (.error, error), (.tauInt, tauInt), (.exact, exact)] {
                if let value, value.isFinite { try c.encode(value, forKey: key) }
            }
        }
    }
    struct Theory: Encodable {
        var convention: String
        var given: [String: Double]
        /// m2, lambda in the project's convention and `field_scale` (phi = field_scale phi_given).
        var project: [String: Double]
    }
    struct SamplerInfo: Encodable {
        var kind: String
        var acceptance: Double
        /// Effectively independent configurations per measured one: the flow's
        /// pooled importance-weight ESS per proposal; for HMC 1/(2 tau_int(|M|)).
        var ess: Double?
        /// HMC.
        var integrator: String?
        var stepSize: Double?
        var stepsPerTrajectory: Int?
        var trajectoryLength: Double?
        var fourierAcceleration: Bool?
        /// `<exp(-dH)>`, 1 within errors in equilibrium (HMC).
        var expMinusDeltaH: Double?
        /// Flow: proposals pooled in `ess`, training steps and seconds, and the cost
        /// per effective sample (training plus measurement seconds over ESS x proposals).
        var proposals: Int?
        var trainingSteps: Int?
        var trainingSeconds: Double?
        var secondsPerEffectiveSample: Double?
        var hmcAcceptance: Double?
        var tauInt: [String: Double]
        enum CodingKeys: String, CodingKey {
            case kind, acceptance, ess, integrator, proposals
            case stepSize = "step_size", stepsPerTrajectory = "steps_per_trajectory"
            case trajectoryLength = "trajectory_length", fourierAcceleration = "fourier_acceleration"
            case expMinusDeltaH = "exp_minus_delta_h", trainingSteps = "training_steps", trainingSeconds = "training_seconds"
            case secondsPerEffectiveSample = "seconds_per_effective_sample", tauInt = "tau_int"
            case hmcAcceptance = "hmc_acceptance"
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(kind, forKey: .kind)
            try c.encode(acceptance, forKey: .acceptance)
            for (key, value) in [
                (CodingKeys.ess, ess), (.stepSize, stepSize), (.trajectoryLength, trajectoryLength), (.expMinusDeltaH, expMinusDeltaH),
                (.trainingSeconds, trainingSeconds), (.secondsPerEffectiveSample, secondsPerEffectiveSample),
                (.hmcAcceptance, hmcAcceptance),
            ] {
                if let value, value.isFinite { try c.encode(value, forKey: key) }
            }
            try c.encodeIfPresent(integrator, forKey: .integrator)
            try c.encodeIfPresent(stepsPerTrajectory, forKey: .stepsPerTrajectory)
            try c.encodeIfPresent(fourierAcceleration, forKey: .fourierAcceleration)
            try c.encodeIfPresent(proposals, forKey: .proposals)
            try c.encodeIfPresent(trainingSteps, forKey: .trainingSteps)
            try c.encode(tauInt.filter { $0.value.isFinite }, forKey: .tauInt)
        }
    }
    struct Energy: Encodable {
        var mean, error, statisticalError, fitError, chi2, slope, curvature, perSite, perSiteError: Double
        var degreesOfFreedom: Int
        enum CodingKeys: String, CodingKey {
            case mean, error, chi2, slope, curvature
            case statisticalError = "statistical_error", fitError = "fit_error", perSite = "per_site"
            case perSiteError = "per_site_error", degreesOfFreedom = "degrees_of_freedom"
        }
    }
    struct Reference: Encodable {
        var energy: Double
        var method: String
        var relativeError: Double
        var deviationInErrors: Double
        enum CodingKeys: String, CodingKey {
            case energy, method
            case relativeError = "relative_error", deviationInErrors = "deviation_in_errors"
        }
    }

    var name: String
    var version = neuralQFTVersion
    var mode: String
    var seed: UInt64
    var config: EuclideanConfiguration
    var lattice: [String: [Int]]
    var theory: Theory
    var observables: [String: Value]?
    var sampler: SamplerInfo
    var energy: Energy?
    var reference: Reference?
    var timing: [String: Double]
    var warnings: [String] = []
    var notes: [String] = []
    var tables: [String: CSVTable] = [:]

    enum CodingKeys: String, CodingKey {
        case name, version, mode, seed, config, lattice, theory, observables, sampler, energy, reference, timing, warnings, notes
    }

    init(configuration c: EuclideanConfiguration, state: EuclideanCheckpoint) throws {
        let results = state.ensembles.compactMap(\.result)
        precondition(results.count == state.ensembles.count, "every ensemble is measured")
        name = c.name
        mode = c.mode.rawValue
        seed = c.seed
        config = c
        let mapped = c.mappedTheory
        var given = ["lambda": c.theory.lambda]
        if let m2 = c.theory.m2 { given["m2"] = m2 }
        if let kappa = c.theory.kappa { given["kappa"] = kappa }
        theory = Theory(
            convention: c.theory.convention.rawValue, given: given,
            project: ["m2": mapped.massSquared, "lambda": mapped.coupling, "field_scale": mapped.fieldScale])
        let spatialSites = c.lattice.extent.reduce(1, *)
        lattice = ["extent": c.lattice.extent, "sites": [spatialSites]]
        if let p = c.pathIntegral {
            lattice["slices"] = p.spacings.map { EuclideanConfiguration.slices(beta: p.beta, spacing: $0) }
        }
        let last = results[results.count - 1]
        let estimates = last.measurements.estimates
        let tauInt = ["abs_magnetization", "chi2"].reduce(into: [String: Double]()) { $0[$1] = estimates[$1]?.tauInt }
        switch c.sampler.kind {
        case .hmc:
            sampler = SamplerInfo(
                kind: c.sampler.kind.rawValue, acceptance: results.map(\.acceptance).reduce(0, +) / Double(results.count),
                ess: estimates["abs_magnetization"].map { 1 / (2 * $0.tauInt) }, integrator: c.sampler.integrator.rawValue,
                stepSize: last.stepSize, stepsPerTrajectory: last.stepsPerTrajectory, trajectoryLength: c.sampler.trajectoryLength,
                fourierAcceleration: c.sampler.fourierAcceleration, expMinusDeltaH: last.boltzmannFactor, tauInt: tauInt)
        case .flow:
            let training = state.ensembles[results.count - 1].flow
            let effective = (last.pooledESS ?? 0) * Double(last.proposals ?? 0)
            sampler = SamplerInfo(
                kind: c.sampler.kind.rawValue, acceptance: last.acceptance, ess: last.pooledESS,
                integrator: last.hmcAcceptance.map { _ in c.sampler.integrator.rawValue }, stepSize: last.stepSize,
                stepsPerTrajectory: last.stepsPerTrajectory, trajectoryLength: last.hmcAcceptance.map { _ in c.sampler.trajectoryLength },
                expMinusDeltaH: last.boltzmannFactor, proposals: last.proposals,
                trainingSteps: training?.steps, trainingSeconds: training?.seconds,
                secondsPerEffectiveSample: effective > 0 ? ((training?.seconds ?? 0) + last.seconds) / effective : nil,
                hmcAcceptance: last.hmcAcceptance, tauInt: tauInt)
            if let history = training?.history {
                var table = CSVTable(header: ["step", "loss", "batch_ess", "seconds"])
                for h in history { table.append([.integer(h.step), .number(h.loss), .number(h.batchESS), .number(h.seconds)]) }
                tables["training.csv"] = table
            }
            if let ess = last.pooledESS, ess < 0.25 {
                // Measured at L = 10 on the flow papers' line: ESS 0.21, and |M| and chi2 3 of
                // their Gamma errors from HMC's — rare heavy weights make the chains stick in
                // long runs that the autocorrelation window underestimates.
                warnings.append(
                    "the flow's pooled ESS is \(String(format: "%.3f", ess)): independence Metropolis sticks on rare heavy-weight configurations and its errors can be underestimated; train longer (flow.steps) or check with sampler.kind: hmc")
            }
        }
        timing = ["total_seconds": results.map(\.seconds).reduce(0, +)]

        for (i, result) in results.enumerated() where result.acceptance < 0.05 {
            warnings.append(
                "acceptance \(String(format: "%.3f", result.acceptance))\(label(state.ensembles[i].spacing)) is below 5%: the chains barely moved")
        }
        for (i, result) in results.enumerated() {
            for (key, estimate) in result.measurements.estimates.sorted(by: { $0.key < $1.key }) where estimate.windowAtLimit == true {
                warnings.append(
                    "\(key)\(label(state.ensembles[i].spacing)): the autocorrelation had not decayed within the Gamma window (tau_int \(String(format: "%.3g", estimate.tauInt))); its error is a lower bound: measure more configurations")
            }
        }

        if c.mode == .euclidean {
            let action = c.action()
            let exact = action.coupling == 0 ? Self.freeValues(action) : [:]
            var values: [String: Value] = [:]
            for (key, e) in last.measurements.estimates {
                values[key] = Value(mean: e.mean, error: e.error, tauInt: e.tauInt, exact: exact[key])
            }
            observables = values
            tables.merge(last.measurements.tables) { a, _ in a }
        } else {
            try pathIntegral(c, state: state, results: results)
        }
    }

    private func label(_ spacing: Double?) -> String { spacing.map { " at eps = \($0)" } ?? "" }

    /// The energy per spacing, its extrapolation, and an exact reference where one is cheap.
    private mutating func pathIntegral(
        _ c: EuclideanConfiguration, state: EuclideanCheckpoint, results: [EuclideanCheckpoint.EnsembleResult]
    ) throws {
        let spacings = state.ensembles.map { $0.spacing ?? 0 }
        let energies = results.map { $0.measurements.estimates[MixedEnergy.name]! }
        var table = CSVTable(header: ["spacing", "slices", "energy", "error", "tau_int", "acceptance", "step_size", "seconds"])
        for (i, e) in energies.enumerated() {
            table.append([
                .number(spacings[i]), .integer(EuclideanConfiguration.slices(beta: c.pathIntegral!.beta, spacing: spacings[i])), .number(e.mean), .number(e.error),
                .number(e.tauInt), .number(results[i].acceptance), .number(results[i].stepSize ?? .nan), .number(results[i].seconds),
            ])
        }
        tables["path_integral.csv"] = table
        let fit = ContinuumExtrapolation(spacings: spacings, values: energies.map(\.mean), errors: energies.map(\.error))
        let v = Double(c.lattice.extent.reduce(1, *))
        energy = Energy(
            mean: fit.value, error: fit.error, statisticalError: fit.statisticalError, fitError: fit.fitError, chi2: fit.chi2,
            slope: fit.slope, curvature: fit.curvature, perSite: fit.value / v, perSiteError: fit.error / v, degreesOfFreedom: fit.degreesOfFreedom)
        if fit.degreesOfFreedom > 0, fit.chi2 / Double(fit.degreesOfFreedom) > 3 {
            warnings.append(
                "the eps -> 0 extrapolation fits poorly (chi2/dof = \(String(format: "%.2f", fit.chi2 / Double(fit.degreesOfFreedom)))): use smaller spacings")
        }
        notes.append(
            "E0 extrapolated as E(eps) = E0 + b eps^2\(fit.curvature != 0 ? " + c eps^4" : "") over eps = \(spacings) at beta = \(c.pathIntegral!.beta); error = sqrt(statistical^2 + fit^2)")
        if let trial = c.trialState {
            let mu = trial.effectiveMassSquared.squareRoot(), beta = c.pathIntegral!.beta
            notes.append(
                String(format: "trial state at the path's ends: Gaussian (Hartree) mu2 = %.6g, v = %.6g, Gaussian energy %.10g", mu * mu, trial.shift, trial.gaussianEnergy))
            // The mixed estimator exceeds E0 by sum_n |a_n/a_0|^2 (E_n - E0) e^{-beta (E_n - E0)}
            // <= (E_T - E0) e^{-beta gap}, and E_T - E0 <= sigma_T^2 / gap (Temple's bound, to
            // leading order) with sigma_T^2 E_L's variance, measured: error^2 N / (2 tau_int).
            // The gap to the lowest excitation psi_T overlaps (even, zero momentum: two quanta)
            // is estimated as 2 mu.
            let last = energies[energies.count - 1]
            let variance = last.error * last.error * Double(c.measurement.samples) / (2 * max(0.5, last.tauInt))
            let contamination = variance / (2 * mu) * exp(-2 * mu * beta)
            if contamination > fit.error {
                warnings.append(
                    String(format: "path_integral.beta = %g may be too short: excited states may add up to sigma_T^2/(2 mu) exp(-2 mu beta) = %.2g (2 mu = %.3g, the Hartree gap estimate), more than the error %.2g; increase beta", beta, contamination, 2 * mu, fit.error))
            }
        }
        let theory = ScalarTheory(
            lattice: Lattice(extent: c.lattice.extent), massSquared: c.mappedTheory.massSquared, coupling: c.mappedTheory.coupling)
        if ExactReference.isAvailable(for: theory) {
            do {
                let exact = try ExactReference(theory: theory, workBudget: 2e10)
                reference = Reference(
                    energy: exact.energy, method: exact.method, relativeError: (fit.value - exact.energy) / abs(exact.energy),
                    deviationInErrors: (fit.value - exact.energy) / fit.error)
            } catch is WorkBudgetExceeded {
                notes.append("exact reference skipped: exact diagonalisation needs more than the run's work budget (use `nqft exact`)")
            }
        }
    }

    /// The free field's exact observables: with `G(k) = 1/K(k)`, `chi2 = G(0)`,
    /// `phi2 = (1/V) sum_k G(k)`, `<(phi_{x+mu} - phi_x)^2> = (1/V) sum_k khat_mu^2 G(k)`,
    /// `<|M|>/V = sqrt(2 chi2 / (pi V))` (M is Gaussian), binder 0, and
    /// `<S>/V = 1/2` (equipartition) for the isotropic action, and the pole mass
    /// `acosh(1 + a_t^2 m2/2)` of the zero-momentum mode.
    static func freeValues(_ action: EuclideanAction) -> [String: Double] {
        let lattice = action.lattice
        let g = action.freeKernel(massSquared: action.massSquared).map { 1 / $0 }
        let v = Double(lattice.volume), d = Double(lattice.dimension)
        let phi2 = g.reduce(0, +) / v
        var bond = 0.0
        for i in 0..<lattice.volume {
            let n = lattice.coordinates(of: i)
            for mu in 0..<lattice.dimension {
                let s = 2 * sin(Double.pi * Double(n[mu]) / Double(lattice.extent[mu]))
                bond += s * s * g[i]
            }
        }
        bond /= v  // sum_mu <(phi_{x+mu} - phi_x)^2>
        var values = [
            "chi2": g[0], "phi2": phi2, "link": phi2 - bond / (2 * d), "binder": 0, "abs_magnetization": (2 * g[0] / (Double.pi * v)).squareRoot(),
        ]
        if action.temporalSpacing == 1 { values["action"] = 0.5 }
        // C(t) at zero spatial momentum is one lattice mode: cosh m = 1 + a_t^2 m2 / 2.
        let at = action.temporalSpacing
        values["pole_mass"] = acosh(1 + at * at * action.massSquared / 2)
        return values
    }

    /// The lines for the terminal.
    func report(directory: String) -> String {
        var lines: [String] = []
        if let energy {
            lines.append(String(format: "E0 = %.10g +- %.3g (statistical %.3g, fit %.3g)", energy.mean, energy.error, energy.statisticalError, energy.fitError))
            if let reference {
                lines.append(String(format: "exact %.10g: deviation %.2f errors, relative %.2e", reference.energy, reference.deviationInErrors, reference.relativeError))
            }
        }
        for key in ConfigurationObservables.names + ["pole_mass"] {
            guard let o = observables?[key] else { continue }
            lines.append(String(format: "%@ = %.8g +- %.3g (tau_int %.3g)", key, o.mean, o.error, o.tauInt))
        }
        if sampler.kind == FieldSamplerKind.hmc.rawValue {
            lines.append(String(format: "HMC acceptance %.3f, <exp(-dH)> %.4f, step size %.4g", sampler.acceptance, sampler.expMinusDeltaH ?? .nan, sampler.stepSize ?? .nan))
        } else {
            lines.append(String(format: "flow: acceptance %.3f, pooled ESS %.4f over %d proposals, %d training steps in %.1f s",
                sampler.acceptance, sampler.ess ?? .nan, sampler.proposals ?? 0, sampler.trainingSteps ?? 0, sampler.trainingSeconds ?? 0))
            if let hmc = sampler.hmcAcceptance {
                lines.append(String(format: "HMC between proposals: acceptance %.3f, step size %.4g", hmc, sampler.stepSize ?? .nan))
            }
        }
        lines.append("results in \(directory)")
        return lines.joined(separator: "\n")
    }
}
