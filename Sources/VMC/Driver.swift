import Execution
import Lattice
import LinearAlgebra
import NeuralAnsatz
import Parallelism
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
    /// Where the step's wall time went.
    public var timings: StepTimings
}

/// Wall time of the parts of one optimisation step, in seconds.
public struct StepTimings: Sendable, Equatable {
    /// Thermalisation and recorded sweeps (proposals and their log psi).
    public var sampling = 0.0
    /// Local energies of the recorded samples, and the per-sample parameter
    /// gradients `O` computed with them (one pass of the model for both).
    public var localEnergy = 0.0
    /// Assembling `O` for the update (its blocks' layout over threads and ranks).
    public var parameterGradient = 0.0
    /// The optimiser's update (for SR: building and solving the linear system).
    public var update = 0.0

    public init() {}

    public var total: Double { sampling + localEnergy + parameterGradient + update }
}

/// Variational Monte Carlo: the state of one optimisation, and the step that
/// advances it (NetKet's `VMC` driver, Carleo and Troyer, Science 355 (2017) 602).
///
/// One step is the textbook loop:
/// 1. sample `phi ~ |psi_theta|^2`,
/// 2. evaluate the local energies `E_loc(phi)` and log-derivatives `O(phi)`,
/// 3. let the optimizer turn `(O, E_loc)` into a new `theta`.
public struct VMCDriver<Model: WavefunctionModel, Chains: MetropolisHastings, Update: Optimizer>: Sendable
where Chains.Density == BornDensity<Model> {
    public let theory: ScalarTheory
    public var model: Model
    public let sampler: Chains
    public var samplerState: Chains.State
    public var optimizer: Update
    /// Recorded sweeps per step (`samples per step / chains`).
    public let sweepsPerStep: Int
    /// Sweeps discarded (and used to re-adapt widths) at the start of each step.
    public let discardSweeps: Int
    public let gamma = GammaMethod()
    /// Threads the samples' blocks are split over (results do not depend on it).
    public let parallelism: Parallelism

    public init(
        theory: ScalarTheory, model: Model, sampler: Chains, samplerState: Chains.State,
        optimizer: Update, sweepsPerStep: Int, discardSweeps: Int, parallelism: Parallelism = .serial
    ) {
        precondition(sweepsPerStep >= 1 && discardSweeps >= 0)
        self.theory = theory
        self.model = model
        self.sampler = sampler
        self.samplerState = samplerState
        self.optimizer = optimizer
        self.sweepsPerStep = sweepsPerStep
        self.discardSweeps = discardSweeps
        self.parallelism = parallelism
    }

    /// Brings the chains to equilibrium under the current parameters, adapting
    /// the proposal widths; `stop` is asked between blocks of sweeps.
    public mutating func thermalize(sweeps: Int, stop: StopCheck = .never) throws {
        let density = BornDensity(model)
        sampler.refresh(&samplerState, density: density)
        try sampler.thermalize(&samplerState, density: density, sweeps: sweeps, stop: stop)
    }

    /// One optimisation step.
    public mutating func step() throws -> StepReport {
        var timings = StepTimings()
        var clock = ContinuousClock.now

        /// Seconds since the last call.
        func lap() -> Double {
            let now = ContinuousClock.now
            defer { clock = now }
            let d = (now - clock).components
            return Double(d.seconds) + Double(d.attoseconds) * 1e-18
        }

        // 1. Sample |psi|^2, each fixed group of chains on its rank and thread;
        // its samples stay there.
        try thermalize(sweeps: discardSweeps)
        let density = BornDensity(model)
        samplerState.resetCounters()
        let recorded = sampler.sampleInGroups(&samplerState, density: density, sweeps: sweepsPerStep)
        timings.sampling = lap()
        // 2. Local energies and log-derivatives of each group's blocks, on the
        // rank that sampled them (samples are numbered group-major), from one
        // call per block (a network may share its forward pass between them).
        let (current, theory) = (model, self.theory)
        let layout = StepBlocks(groups: sampler.settings.groups, sweeps: sweepsPerStep, parallelism: parallelism)
        let evaluated = parallelism.localMap(layout.blocks.count, share: layout.share) { k -> ([Double], ParameterJacobian) in
            let fields = layout.fields(of: k, in: recorded)
            let (derivatives, jacobian) = current.derivativesAndJacobian(fields)
            return (VMC.localEnergies(theory, fields, derivatives: derivatives), jacobian)
        }.map(\.value)
        let energies = Array(evaluated.map(\.0).joined())
        // A diverging step shows first in its local energies: every rank agrees
        // before any sum of them (an exact sum of a NaN is NaN), and the caller's
        // divergence guard retries the step.
        if parallelism.ranks.any(energies.contains { !$0.isFinite }) { throw NonFiniteSamples(total: .nan) }
        timings.localEnergy = lap()
        let logDerivatives = LogDerivatives(
            rowBlocks: layout.blocks.map(\.rows), share: layout.share, blocks: evaluated.map(\.1),
            columns: current.parameterCount, parallelism: parallelism)
        timings.parameterGradient = lap()
        // 3. The update; the energy's statistics are reduced over the ranks.
        let learningRate = optimizer.learningRate
        try optimizer.update(&model.parameters, from: EnergySamples(logDerivatives: logDerivatives, localEnergies: energies))
        timings.update = lap()
        let (chains, values) = layout.localRecordOrder(energies)
        let energy = try gamma.estimate(localValues: values, localChains: chains, records: sweepsPerStep, parallelism: parallelism)
        return StepReport(energy: energy, acceptance: samplerState.acceptance, learningRate: learningRate, timings: timings)
    }

    /// Samples `|psi|^2` for `sweeps` sweeps at fixed parameters and widths, calling
    /// `observe` with each sweep's fields (`chains x V`) and local energies.
    /// Acceptance counters start from zero.
    public mutating func measure(sweeps: Int, observe: (FieldBatch, [Double]) throws -> Void) rethrows {
        let density = BornDensity(model)
        sampler.refresh(&samplerState, density: density)
        samplerState.resetCounters()
        let (model, theory, parallelism) = (self.model, self.theory, self.parallelism)
        try sampler.sample(&samplerState, density: density, sweeps: sweeps) { batch, _ in
            try observe(batch, Self.localEnergies(model, theory, batch, parallelism))
        }
    }

    /// The local energies of `batch`, its row blocks computed over threads and
    /// ranks, on every rank.
    private static func localEnergies(_ model: Model, _ theory: ScalarTheory, _ batch: FieldBatch, _ parallelism: Parallelism) -> [Double] {
        let blocks = parallelism.blocks(batch.rows)
        return Array(parallelism.distributedMap(blocks.count) { VMC.localEnergies(model, theory, batch.rows(blocks[$0])) }.joined())
    }
}
