import Lattice
import Statistics

/// The evolving state of a set of HMC chains: fields, one random stream per
/// chain, the tuned step size and the counters. `Codable`, so a checkpoint
/// resumes every chain exactly.
public struct HMCState: ChainState {
    /// `chains x V`.
    public var fields: FieldBatch
    public var random: [RandomSource]
    /// The molecular-dynamics step size (shared by the chains; tuned during thermalisation).
    public var stepSize: Double
    /// Trajectories accepted and made, and the sum of `exp(-dH)` over them, since
    /// the counters were last reset.
    public var accepted = 0
    public var proposed = 0
    public var boltzmannFactorSum = 0.0

    public init(fields: FieldBatch, random: [RandomSource], stepSize: Double) {
        self.fields = fields
        self.random = random
        self.stepSize = stepSize
    }

    public var chains: Int { fields.sampleCount }

    public var acceptance: Double { proposed == 0 ? 0 : Double(accepted) / Double(proposed) }

    /// `<exp(-dH)>`, which is 1 for an exact (area-preserving, reversible) integrator in equilibrium.
    public var meanBoltzmannFactor: Double { proposed == 0 ? .nan : boltzmannFactorSum / Double(proposed) }

    public mutating func resetCounters() {
        accepted = 0
        proposed = 0
        boltzmannFactorSum = 0
    }
}
