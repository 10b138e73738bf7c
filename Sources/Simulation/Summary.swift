import Lattice
import SimulationConfig
import Statistics

/// The version written into every summary.
public let neuralQFTVersion = "0.1.0"

/// summary.json (DESIGN §3). Keys may be added, never renamed.
struct Summary: Encodable {
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
        enum CodingKeys: String, CodingKey {
            case mean, error, variance, samples
            case perSite = "per_site", perSiteError = "per_site_error", tauInt = "tau_int"
        }
    }
    struct ReferenceInfo: Encodable {
        var energy: Double
        var method: String
        /// `(E - E_ref) / |E_ref|`.
        var relativeError: Double
        /// `(E - E_ref) / error`.
        var deviationInErrors: Double?
        enum CodingKeys: String, CodingKey {
            case energy, method
            case relativeError = "relative_error", deviationInErrors = "deviation_in_errors"
        }
    }
    struct SamplerInfo: Encodable {
        var acceptance: Double
    }
    struct TimingInfo: Encodable {
        var totalSeconds, optimizationSeconds, evaluationSeconds: Double
        enum CodingKeys: String, CodingKey {
            case totalSeconds = "total_seconds", optimizationSeconds = "optimization_seconds"
            case evaluationSeconds = "evaluation_seconds"
        }
    }

    var name: String
    var version: String
    var seed: UInt64
    var config: RunConfiguration
    var lattice: LatticeInfo
    var energy: EnergyInfo
    var reference: ReferenceInfo?
    var sampler: SamplerInfo
    var timing: TimingInfo

    enum CodingKeys: String, CodingKey {
        case name, version, seed, config, lattice, energy, reference, sampler, timing
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
        if let reference { try c.encode(reference, forKey: .reference) } else { try c.encodeNil(forKey: .reference) }
        try c.encode(sampler, forKey: .sampler)
        try c.encode(timing, forKey: .timing)
    }

    init(configuration: RunConfiguration, result: RunResult) {
        let volume = configuration.lattice.extent.reduce(1, *)
        let e = result.energy
        name = configuration.name
        version = neuralQFTVersion
        seed = configuration.seed
        config = configuration
        lattice = LatticeInfo(extent: configuration.lattice.extent, sites: volume)
        energy = EnergyInfo(
            mean: e.mean, error: e.error, variance: e.variance, perSite: e.mean / Double(volume),
            perSiteError: e.error / Double(volume), tauInt: e.tauInt, samples: e.count)
        reference = result.reference.map { ref in
            ReferenceInfo(
                energy: ref.energy, method: ref.method, relativeError: (e.mean - ref.energy) / abs(ref.energy),
                deviationInErrors: e.error > 0 ? (e.mean - ref.energy) / e.error : nil)
        }
        sampler = SamplerInfo(acceptance: result.acceptance)
        timing = TimingInfo(
            totalSeconds: result.optimizationSeconds + result.evaluationSeconds,
            optimizationSeconds: result.optimizationSeconds, evaluationSeconds: result.evaluationSeconds)
    }
}
