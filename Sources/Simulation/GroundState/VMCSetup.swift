import Lattice
import NeuralAnsatz
import Parallelism
import Sampling
import SimulationConfig
import VMC

/// What the stages of a variational run share: the config, the theory, the
/// model (whose parameters come from the state), the sampler and the threads.
struct VMCSetup<Model: WavefunctionModel, Chains: MetropolisHastings>: Sendable
where Chains.Density == BornDensity<Model> {
    let configuration: GroundStateConfiguration
    let theory: ScalarTheory
    let model: Model
    let sampler: Chains
    let parallelism: Parallelism

    /// A fresh optimisation: the model's parameters, chains started from the seed.
    func initialProgress() -> OptimizationProgress {
        OptimizationProgress(
            parameters: model.parameters, optimizer: ConfiguredOptimizer(configuration.optimizer),
            sampler: sampler.initialState(sites: theory.lattice.volume, seed: configuration.seed),
            history: [], thermalized: false, parametersMoved: false, seconds: 0)
    }

    /// The driver at `progress`.
    func driver(_ progress: OptimizationProgress) -> VMCDriver<Model, Chains, ConfiguredOptimizer> {
        var model = self.model
        model.parameters = progress.parameters
        return VMCDriver(
            theory: theory, model: model, sampler: sampler, samplerState: progress.sampler,
            optimizer: progress.optimizer,
            sweepsPerStep: configuration.optimizer.samples / configuration.sampler.chains,
            discardSweeps: configuration.sampler.discard, parallelism: parallelism)
    }
}

extension OptimizationProgress {
    /// Takes over the driver's parameters, optimiser and chains. A parameter
    /// counts as moved when it changed by more than 1e-12 of max(1, |theta|): a
    /// step of 1e-300 is no optimisation.
    mutating func store<Model, Chains>(_ driver: VMCDriver<Model, Chains, ConfiguredOptimizer>)
    where Chains.State == SamplerState {
        parametersMoved = parametersMoved
            || zip(driver.model.parameters, parameters).contains { abs($0 - $1) > 1e-12 * max(1, abs($1)) }
        parameters = driver.model.parameters
        optimizer = driver.optimizer
        sampler = driver.samplerState
    }
}

