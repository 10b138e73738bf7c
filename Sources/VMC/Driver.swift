import Lattice
import LinearAlgebra
import NeuralAnsatz
import Sampling
import Statistics

/// What one optimisation step measured.
public struct StepReport: Sendable {
    /// The energy of the parameters the step started from, with its error.
    public var energy: Estimate
    /// Metropolis acceptance of the recorded sweeps.
    public var acceptance: Double
    /// The learning rate the update used.
    public var learningRate: Double
}

/// Variational Monte Carlo: the state of one optimisation, and the step that
/// advances it (NetKet's `VMC` driver, Carleo and Troyer, Science 355 (2017) 602).
///
/// One step is the textbook loop:
/// 1. sample `phi ~ |psi_theta|^2`,
/// 2. evaluate the local energies `E_loc(phi)` and log-derivatives `O(phi)`,
/// 3. let the optimizer turn `(O, E_loc)` into a new `theta`.
public struct VMCDriver<Model: WavefunctionModel, Update: Optimizer>: Sendable {
    public let theory: ScalarTheory
    public var model: Model
    public let sampler: MetropolisSampler
    public var samplerState: SamplerState
    public var optimizer: Update
    /// Recorded sweeps per step (`samples per step / chains`).
    public let sweepsPerStep: Int
    /// Sweeps discarded (and used to re-adapt widths) at the start of each step.
    public let discardSweeps: Int
    public let gamma = GammaMethod()

    public init(
        theory: ScalarTheory, model: Model, sampler: MetropolisSampler, samplerState: SamplerState,
        optimizer: Update, sweepsPerStep: Int, discardSweeps: Int
    ) {
        precondition(sweepsPerStep >= 1 && discardSweeps >= 0)
        self.theory = theory
        self.model = model
        self.sampler = sampler
        self.samplerState = samplerState
        self.optimizer = optimizer
        self.sweepsPerStep = sweepsPerStep
        self.discardSweeps = discardSweeps
    }

    /// Brings the chains to equilibrium under the current parameters, adapting
    /// the proposal widths.
    public mutating func thermalize(sweeps: Int) {
        let density = BornDensity(model)
        sampler.refresh(&samplerState, density: density)
        sampler.thermalize(&samplerState, density: density, sweeps: sweeps)
    }

    /// One optimisation step.
    public mutating func step() throws -> StepReport {
        thermalize(sweeps: discardSweeps)
        // Samples in record order (sweep-major, then chain), matching `energies`.
        var fields: [Double] = []
        fields.reserveCapacity(sweepsPerStep * samplerState.fields.storage.count)
        var energies = ReplicaSeries(chains: sampler.chains, observables: 1, reservingRecords: sweepsPerStep)
        measure(sweeps: sweepsPerStep) { batch, localEnergy in
            fields.append(contentsOf: batch.storage)
            energies.append(record: localEnergy)
        }
        let batch = FieldBatch(rows: energies.values.count, columns: theory.lattice.volume, storage: fields)
        let learningRate = optimizer.learningRate
        let samples = EnergySamples(
            logDerivatives: model.parameterGradient(batch), localEnergies: energies.values)
        try optimizer.update(&model.parameters, from: samples)
        return StepReport(
            energy: gamma.estimate(energies), acceptance: samplerState.acceptance, learningRate: learningRate)
    }

    /// Samples `|psi|^2` for `sweeps` sweeps at fixed parameters and widths, calling
    /// `observe` with each sweep's fields (`chains x V`) and local energies.
    /// Acceptance counters start from zero.
    public mutating func measure(sweeps: Int, observe: (FieldBatch, [Double]) throws -> Void) rethrows {
        let density = BornDensity(model)
        sampler.refresh(&samplerState, density: density)
        samplerState.resetCounters()
        let (model, theory) = (self.model, self.theory)
        try sampler.sample(&samplerState, density: density, sweeps: sweeps) { batch, _ in
            try observe(batch, localEnergies(model, theory, batch))
        }
    }
}
