import Lattice
import SimulationConfig
import Statistics

/// The version written into every summary.
public let neuralQFTVersion = "0.1.0"

/// summary.json (docs/CONVENTIONS.md §3). Keys may be added, never renamed.
struct GroundStateSummary: Encodable {
    struct LatticeInfo: Encodable {
        var extent: [Int]
        var sites: Int
    }
    struct EnergyInfo: Encodable {
        var mean, error, variance: Double
        var perSite: Double
        var perSiteError: Double
        var tauInt: Double
        var samples: Int
        /// With `evaluation.target_error` or `target_relative_error`: the absolute
        /// target and whether the error reached it (else `limit` says which cap stopped it).
        var targetError: Double?
        var targetReached: Bool?
        var limit: String?
        enum CodingKeys: String, CodingKey {
            case mean, error, variance, samples, limit
            case perSite = "per_site", perSiteError = "per_site_error", tauInt = "tau_int"
            case targetError = "target_error", targetReached = "target_reached"
        }
    }
    /// The optimisation's length and, with `optimizer.target_variance`, where it was reached.
    struct OptimizationInfo: Encodable {
        var steps: Int
        var targetVariance: Double?
        var targetReachedAtStep: Int?
        var finalVariancePerSite: Double?
        enum CodingKeys: String, CodingKey {
            case steps
            case targetVariance = "target_variance", targetReachedAtStep = "target_reached_at_step"
            case finalVariancePerSite = "final_variance_per_site"
        }
    }
    struct ReferenceInfo: Encodable {
        var energy: Double
        var method: String
        /// `(E - E_ref) / |E_ref|`.
        var relativeError: Double
        /// `(E - E_ref) / error`.
        var deviationInErrors: Double?
        /// The reference's `<M^2>/V` and the run's deviation from it in errors.
        var chi2: Double?
        var chi2DeviationInErrors: Double?
        /// The largest `|G(r) - G_ref(r)| / error` over the separations (correlator_r.csv).
        var correlatorMaxDeviationInErrors: Double?
        enum CodingKeys: String, CodingKey {
            case energy, method, chi2
            case relativeError = "relative_error", deviationInErrors = "deviation_in_errors"
            case chi2DeviationInErrors = "chi2_deviation_in_errors"
            case correlatorMaxDeviationInErrors = "correlator_r_max_deviation_in_errors"
        }
    }
    /// The neural ansatz's gain over the best Gaussian of the same run, or why it was not measured.
    struct QualityInfo: Encodable {
        var gaussianMeasured: Bool
        var reason: String?
        var gaussianSteps: Int?
        var gaussianEnergy, gaussianError, gaussianVariance: Double?
        /// `E_Gauss - E` (> 0: the network lowers the energy) and its error.
        var energyGain, energyGainError: Double?
        /// `variance_Gauss / variance`.
        var varianceReduction: Double?
        enum CodingKeys: String, CodingKey {
            case reason
            case gaussianMeasured = "gaussian_measured", gaussianSteps = "gaussian_steps"
            case gaussianEnergy = "gaussian_energy", gaussianError = "gaussian_error"
            case gaussianVariance = "gaussian_variance", energyGain = "energy_gain"
            case energyGainError = "energy_gain_error", varianceReduction = "variance_reduction"
        }
    }
    struct SamplerInfo: Encodable {
        var acceptance: Double
    }
    struct TimingInfo: Encodable {
        var totalSeconds, optimizationSeconds, evaluationSeconds, referenceSeconds: Double
        enum CodingKeys: String, CodingKey {
            case totalSeconds = "total_seconds", optimizationSeconds = "optimization_seconds"
            case evaluationSeconds = "evaluation_seconds", referenceSeconds = "reference_seconds"
        }
    }

    var name: String
    var version: String
    var seed: UInt64
    var config: GroundStateConfiguration
    var lattice: LatticeInfo
    var energy: EnergyInfo
    /// `OrderParameter` of the ground state's |psi|^2: abs_magnetization = <|M|>/V,
    /// chi2 = <M^2>/V, binder = 1 - <M^4>/(3 <M^2>^2).
    var orderParameter: [String: MeasuredValue]
    var optimization: OptimizationInfo
    var reference: ReferenceInfo?
    var quality: QualityInfo
    var sampler: SamplerInfo
    var timing: TimingInfo
    /// Why the numbers may not be trusted, from the run's own diagnostics.
    var warnings: [String]
    /// Remarks that do not put the numbers in doubt.
    var notes: [String]

    enum CodingKeys: String, CodingKey {
        case name, version, seed, config, lattice, energy, optimization, reference, quality, sampler, timing, warnings, notes
        case orderParameter = "order_parameter"
    }

    /// `reference` is written as `null` when there is none, never left out.
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(version, forKey: .version)
        try c.encode(seed, forKey: .seed)
        try c.encode(config, forKey: .config)
        try c.encode(lattice, forKey: .lattice)
        try c.encode(energy, forKey: .energy)
        try c.encode(orderParameter, forKey: .orderParameter)
        try c.encode(optimization, forKey: .optimization)
        if let reference { try c.encode(reference, forKey: .reference) } else { try c.encodeNil(forKey: .reference) }
        try c.encode(quality, forKey: .quality)
        try c.encode(sampler, forKey: .sampler)
        try c.encode(timing, forKey: .timing)
        try c.encode(warnings, forKey: .warnings)
        try c.encode(notes, forKey: .notes)
    }

    init(configuration: GroundStateConfiguration, result: GroundStateResult) {
        let volume = configuration.lattice.extent.reduce(1, *)
        let e = result.energy
        name = configuration.name
        version = neuralQFTVersion
        seed = configuration.seed
        config = configuration
        lattice = LatticeInfo(extent: configuration.lattice.extent, sites: volume)
        energy = EnergyInfo(
            mean: e.mean, error: e.error, variance: e.variance, perSite: e.mean / Double(volume),
            perSiteError: e.error / Double(volume), tauInt: e.tauInt, samples: e.count,
            targetError: result.precision?.target, targetReached: result.precision?.reached,
            limit: result.precision?.limit?.rawValue)
        orderParameter = result.orderParameter.mapValues { MeasuredValue($0) }
        optimization = OptimizationInfo(
            steps: result.history.count, targetVariance: configuration.optimizer.targetVariance,
            targetReachedAtStep: result.targetVarianceStep,
            finalVariancePerSite: result.checkpoint.optimization.recentVariancePerSite(sites: volume))
        reference = result.reference.map { ref in
            var info = ReferenceInfo(
                energy: ref.energy, method: ref.method, relativeError: (e.mean - ref.energy) / abs(ref.energy),
                deviationInErrors: e.error > 0 ? (e.mean - ref.energy) / e.error : nil)
            info.chi2 = ref.chi2
            if let exact = ref.chi2, let m2 = result.orderParameter["chi2"], m2.error > 0 {
                info.chi2DeviationInErrors = (m2.mean - exact) / m2.error
            }
            if let exact = ref.correlator, let table = result.tables["correlator_r.csv"],
                let g = table.column("G")?.compactMap(Double.init), let errors = table.column("G_err")?.compactMap(Double.init),
                g.count == exact.count, errors.count == exact.count, errors.allSatisfy({ $0 > 0 })
            {
                info.correlatorMaxDeviationInErrors = zip(zip(g, errors), exact).map { abs($0.0 - $1) / $0.1 }.max()
            }
            return info
        }
        if let baseline = result.gaussianBaseline {
            let g = baseline.energy
            quality = QualityInfo(
                gaussianMeasured: true, gaussianSteps: baseline.steps, gaussianEnergy: g.mean, gaussianError: g.error,
                gaussianVariance: g.variance, energyGain: g.mean - e.mean,
                energyGainError: (g.error * g.error + e.error * e.error).squareRoot(),
                varianceReduction: e.variance > 0 ? g.variance / e.variance : nil)
        } else {
            quality = QualityInfo(
                gaussianMeasured: false,
                reason: configuration.ansatz.kind.isNeural
                    ? "not measured: optimizer.gaussian_steps = 0" : "not applicable: the ansatz is the Gaussian")
        }
        sampler = SamplerInfo(acceptance: result.acceptance)
        warnings = result.warnings
        notes = result.notes
        timing = TimingInfo(
            totalSeconds: result.optimizationSeconds + result.evaluationSeconds + result.referenceSeconds,
            optimizationSeconds: result.optimizationSeconds, evaluationSeconds: result.evaluationSeconds,
            referenceSeconds: result.referenceSeconds)
    }
}
