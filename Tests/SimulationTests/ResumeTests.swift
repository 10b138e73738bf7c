import Foundation
import Simulation
import SimulationConfig
import Testing
import TestSupport

/// An interrupted and resumed run gives the same numbers as an uninterrupted one
/// with the same seed: the checkpoint (through its JSON form) holds every state
/// the sequence depends on.
@Suite struct ResumeTests {
    @Test(arguments: ["gaussian", "symmetric"])
    func interruptedAndResumedRunIsIdentical(kind: String) throws {
        let network = kind == "gaussian" ? "" : ", hidden: [8]"
        let config = try RunConfiguration.parse(
            yaml: """
                seed: 4
                lattice: {extent: [3, 2]}
                theory: {m2: 0.7, lambda: \(kind == "gaussian" ? 0 : 6)}
                ansatz: {kind: \(kind)\(network)}
                sampler: {kind: mala, chains: 8, thermalization: 20, sweep: 6}
                optimizer: {steps: 30, samples: 64, learning_rate: 0.1, learning_rate_final: 0.05\(kind == "gaussian" ? "" : ", gaussian_steps: 5")}
                evaluation: {samples: 512}
                """, defaultName: "resume")
        let simulation = Simulation(configuration: config)
        let whole = try simulation.run()

        var control = RunControl()
        var steps = 0
        control.progress = { _, _ in steps += 1 }
        control.shouldStop = { steps == 13 }
        var checkpoint: Checkpoint?
        do {
            _ = try simulation.run(control)
        } catch SimulationError.interrupted(let saved) {
            checkpoint = saved
        }
        let saved = try #require(checkpoint)
        #expect(saved.step == 13)
        var resumed = RunControl()
        resumed.resume = try JSONDecoder().decode(Checkpoint.self, from: JSONEncoder().encode(saved))
        let rest = try simulation.run(resumed)

        #expect(rest.history.map(\.energy) == whole.history.map(\.energy))
        #expect(rest.energy == whole.energy)
        #expect(rest.correlators.momentum.map(\.correlator) == whole.correlators.momentum.map(\.correlator))
        #expect(rest.checkpoint.parameters == whole.checkpoint.parameters)
    }

    @Test func checkpointOfAnotherConfigurationIsRefused() throws {
        let yaml = "lattice: {extent: [4]}\ntheory: {m2: 1, lambda: 0}\nsampler: {chains: 4, sweep: 4}\noptimizer: {steps: 3, samples: 16}\nevaluation: {samples: 64}\n"
        let a = try RunConfiguration.parse(yaml: yaml, defaultName: "a")
        var b = a
        b.theory.m2 = 2
        var control = RunControl()
        control.resume = try Simulation(configuration: a).run().checkpoint
        #expect(throws: SimulationError.self) { try Simulation(configuration: b).run(control) }
    }
}
