import Correlators
import ExactDiagonalization
import Foundation
import Lattice
import Measurements
import Output
import SimulationConfig
import Statistics

/// summary.json of a Euclidean or path-integral run (docs/CONVENTIONS.md §3), and
/// its CSV tables.
struct EuclideanSummary: Encodable {
    struct Theory: Encodable {
        var convention: String
        var given: [String: Double]
        /// m2, lambda in the project's convention and `field_scale` (phi = field_scale phi_given).
        var project: [String: Double]
    }
    struct SamplerInfo: Encodable {
        /// The sampler's own name (`SamplerDiagnostics.kind`): hmc, flow, flow+hmc.
        var kind: String
        var acceptance: Double
        /// Effectively independent configurations per measured one: the flow's
        /// pooled importance-weight ESS per proposal; for HMC 1/(2 tau_int(|M|)).
        var ess: Double?
        /// HMC (also between a flow's proposals).
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
        /// Seconds per effectively independent measurement of |M| and chi2,
        /// seconds / (N / (2 tau_int)): the measurement's alone and with the training's.
        var secondsPerIndependentMeasurement: [String: [String: Double]]?
        /// Flow: the training's schedule and its last validation.
        var training: Training?
        enum CodingKeys: String, CodingKey {
            case kind, acceptance, ess, integrator, proposals, training
            case secondsPerIndependentMeasurement = "seconds_per_independent_measurement"
            case stepSize = "step_size", stepsPerTrajectory = "steps_per_trajectory"
            case trajectoryLength = "trajectory_length", fourierAcceleration = "fourier_acceleration"
            case expMinusDeltaH = "exp_minus_delta_h", trainingSteps = "training_steps", trainingSeconds = "training_seconds"
            case secondsPerEffectiveSample = "seconds_per_effective_sample", tauInt = "tau_int"
            case hmcAcceptance = "hmc_acceptance"
        }
    }
    /// A flow's training: per lattice of the schedule its steps and seconds, the
    /// saved flow it started from, and the last step's loss and divergence per
    /// site with the last validation's pooled ESS.
    struct Training: Encodable {
        var schedule: [SavedFlow.Provenance.Phase]
        var initial: String?
        var finalLossPerSite: Double?
        var finalKLPerSite: Double?
        var validationESS: Double?
        enum CodingKeys: String, CodingKey {
            case schedule, initial
            case finalLossPerSite = "final_loss_per_site", finalKLPerSite = "final_kl_per_site", validationESS = "validation_ess"
        }
    }
    struct Energy: Encodable {
        var mean, error, statisticalError, fitError, chi2, slope, curvature, perSite, perSiteError: Double
        var degreesOfFreedom: Int
        /// eps omega_max at the largest spacing: the expansion parameter of the Trotter
        /// error, whose eps^2 law the extrapolation assumes (it needs eps omega well below 1).
        var trotterParameter: Double
        enum CodingKeys: String, CodingKey {
            case mean, error, chi2, slope, curvature
            case statisticalError = "statistical_error", fitError = "fit_error", perSite = "per_site"
            case perSiteError = "per_site_error", degreesOfFreedom = "degrees_of_freedom", trotterParameter = "trotter_parameter"
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
    var observables: [String: MeasuredValue]?
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
        let results = state.ensembles.compactMap(\.progress.result)
        guard results.count == state.ensembles.count, let last = results.last else {
            throw RunError.checkpointMismatch("an ensemble of the checkpoint has not been measured")
        }
        name = c.name
        mode = c.mode.rawValue
        seed = c.seed
        config = c
        theory = Theory(convention: c.theory.convention.rawValue, given: c.givenCouplings, project: c.projectCouplings)
        let spatialSites = c.lattice.extent.reduce(1, *)
        lattice = ["extent": c.lattice.extent, "sites": [spatialSites]]
        if let p = c.pathIntegral {
            lattice["slices"] = p.spacings.map { EuclideanConfiguration.slices(beta: p.beta, spacing: $0) }
        }
        let estimates = last.measurements.estimates
        let tauInt = ["abs_magnetization", "chi2"].reduce(into: [String: Double]()) { $0[$1] = estimates[$1]?.tauInt }
        let d = last.sampler
        let usesHMC = d.stepSize != nil
        sampler = SamplerInfo(
            kind: d.kind, acceptance: results.map(\.sampler.acceptance).reduce(0, +) / Double(results.count),
            ess: d.pooledESS ?? estimates["abs_magnetization"].map { 1 / (2 * $0.tauInt) },
            integrator: usesHMC ? c.sampler.integrator.rawValue : nil, stepSize: d.stepSize, stepsPerTrajectory: d.stepsPerTrajectory,
            trajectoryLength: usesHMC ? c.sampler.trajectoryLength : nil,
            fourierAcceleration: d.kind == "hmc" ? c.sampler.fourierAcceleration : nil, expMinusDeltaH: d.expMinusDeltaH,
            proposals: d.proposals, hmcAcceptance: d.hmcAcceptance, tauInt: tauInt)
        if let training = state.ensembles.last?.flow {
            sampler.trainingSteps = training.steps
            sampler.trainingSeconds = training.seconds
            let effective = (d.pooledESS ?? 0) * Double(d.proposals ?? 0)
            sampler.secondsPerEffectiveSample = effective > 0 ? (training.seconds + last.seconds) / effective : nil
            sampler.training = Training(
                schedule: c.flow.map { training.schedule($0.phases(lattice: c.lattice.extent)) } ?? [], initial: c.flow?.initial,
                finalLossPerSite: training.history.last?.loss, finalKLPerSite: training.history.last?.divergence,
                validationESS: training.lastValidationESS)
            if let ess = d.pooledESS, ess < 0.25 {
                // Measured at L = 10 on the flow papers' line: ESS 0.21, and |M| and chi2 3 of
                // their Gamma errors from HMC's — rare heavy weights make the chains stick in
                // long runs that the autocorrelation window underestimates.
                warnings.append(
                    "the flow's pooled ESS is \(String(format: "%.3f", ess)): independence Metropolis sticks on rare heavy-weight configurations and its errors can be underestimated; train longer (flow.steps) or check with sampler.kind: hmc")
            }
        }
        let n = Double(c.measurement.samples)
        sampler.secondsPerIndependentMeasurement = tauInt.isEmpty ? nil : tauInt.mapValues { tau in
            var cost = ["measurement": last.seconds * 2 * tau / n]
            if let training = state.ensembles.last?.flow { cost["with_training"] = (last.seconds + training.seconds) * 2 * tau / n }
            return cost
        }
        timing = ["total_seconds": results.map(\.seconds).reduce(0, +) + (state.ensembles.last?.flow?.seconds ?? 0)]
        let labels = state.ensembles.map { label($0.spacing) }
        warnings += RunDiagnostics.samplerWarnings(results.map(\.sampler), labels: labels)
        warnings += RunDiagnostics.windowWarnings(results.map(\.measurements.estimates), labels: labels)

        if c.mode == .euclidean {
            let action = c.action()
            let exact = action.coupling == 0 ? Self.freeValues(action) : [:]
            observables = Dictionary(uniqueKeysWithValues: last.measurements.estimates.map { ($0.key, MeasuredValue($0.value, exact: exact[$0.key])) })
            tables.merge(last.measurements.tables) { a, _ in a }
        } else {
            try pathIntegral(c, state: state, results: results)
        }
    }

    private func label(_ spacing: Double?) -> String { spacing.map { " at eps = \($0)" } ?? "" }

    /// The energy per spacing, its extrapolation with the checks of its own
    /// assumptions, and an exact reference where one is cheap.
    private mutating func pathIntegral(_ c: EuclideanConfiguration, state: EuclideanCheckpoint, results: [EnsembleResult]) throws {
        guard let p = c.pathIntegral else { return }
        let spacings = state.ensembles.map { $0.spacing ?? 0 }
        let energies = try results.map { r -> Estimate in
            guard let e = r.measurements.estimates[MixedEnergy.name] else { throw RunError.checkpointMismatch("an ensemble has no energy") }
            return e
        }
        var table = CSVTable(header: ["spacing", "slices", "energy", "error", "tau_int", "acceptance", "step_size", "seconds"])
        for (i, e) in energies.enumerated() {
            table.append([
                .number(spacings[i]), .integer(EuclideanConfiguration.slices(beta: p.beta, spacing: spacings[i])), .number(e.mean),
                .number(e.error), .number(e.tauInt), .number(results[i].sampler.acceptance), .number(results[i].sampler.stepSize ?? .nan),
                .number(results[i].seconds),
            ])
        }
        tables["path_integral.csv"] = table
        let fit = ContinuumExtrapolation(spacings: spacings, values: energies.map(\.mean), errors: energies.map(\.error))
        let v = Double(c.lattice.extent.reduce(1, *))
        let check = PathIntegralChecks(configuration: c, spacings: spacings, energies: energies, fit: fit)
        energy = Energy(
            mean: fit.value, error: fit.error, statisticalError: fit.statisticalError, fitError: fit.fitError, chi2: fit.chi2,
            slope: fit.slope, curvature: fit.curvature, perSite: fit.value / v, perSiteError: fit.error / v,
            degreesOfFreedom: fit.degreesOfFreedom, trotterParameter: check.trotterParameter)
        warnings += check.warnings
        notes += check.notes
        let theory = ScalarTheory(
            lattice: Lattice(extent: c.lattice.extent), massSquared: c.mappedTheory.massSquared, coupling: c.mappedTheory.coupling)
        if ExactReference.isAvailable(for: theory) {
            do {
                let exact = try ExactReference(theory: theory, workBudget: 2e10)
                reference = Reference(
                    energy: exact.energy, method: exact.method, relativeError: (fit.value - exact.energy) / abs(exact.energy),
                    deviationInErrors: Agreement.deviation(fit.value, error: fit.error, from: exact.energy))
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
    func report() -> [String] {
        var lines: [String] = []
        if let energy {
            lines.append(String(format: "E0 = %.10g +- %.3g (statistical %.3g, fit %.3g)", energy.mean, energy.error, energy.statisticalError, energy.fitError))
            if let reference {
                lines.append(String(format: "exact %.10g: deviation %.2f errors, relative %.2e", reference.energy, reference.deviationInErrors, reference.relativeError))
            }
        }
        for key in ConfigurationObservables.names + ["pole_mass"] {
            guard let o = observables?[key] else { continue }
            lines.append(String(format: "%@ = %.8g +- %.3g (tau_int %.3g)", key, o.mean, o.error, o.tauInt ?? .nan))
        }
        switch sampler.kind {
        case "hmc":
            lines.append(String(format: "HMC acceptance %.3f, <exp(-dH)> %.4f, step size %.4g", sampler.acceptance, sampler.expMinusDeltaH ?? .nan, sampler.stepSize ?? .nan))
        default:
            lines.append(String(format: "%@: acceptance %.3f, pooled ESS %.4f over %d proposals, %d training steps in %.1f s", sampler.kind,
                sampler.acceptance, sampler.ess ?? .nan, sampler.proposals ?? 0, sampler.trainingSteps ?? 0, sampler.trainingSeconds ?? 0))
            if let hmc = sampler.hmcAcceptance {
                lines.append(String(format: "HMC between proposals: acceptance %.3f, step size %.4g", hmc, sampler.stepSize ?? .nan))
            }
        }
        return lines
    }
}
