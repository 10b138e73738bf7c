import Execution
import Foundation
import Output
import RunEngine
import Simulation
import SimulationConfig
import Synchronization
import Testing
import TestSupport

/// Counts the polls of a stop check, and requests a stop from poll `stopAt` on.
final class PollCounter: Sendable {
    private let polls = Mutex(0)
    let stopAt: Int

    init(stopAt: Int = .max) { self.stopAt = stopAt }

    var count: Int { polls.withLock { $0 } }

    var check: StopCheck {
        StopCheck { [self] in polls.withLock { n in n += 1; return n >= stopAt } }
    }
}

/// A stop in any phase — the Gaussian warm start, a thermalisation, an
/// optimisation step, the evaluation, the exact reference — saves a checkpoint
/// from which the run resumes to the same numbers as an uninterrupted one with
/// the same seed: the checkpoint (through its JSON form) holds every state the
/// sequence depends on.
@Suite struct ResumeTests {
    func configuration(_ kind: String) throws -> GroundStateConfiguration {
        let network = kind == "gaussian" ? "" : ", hidden: [8]"
        return try GroundStateConfiguration.parse(
            yaml: """
                seed: 4
                lattice: {extent: [2, 2]}
                theory: {m2: 0.7, lambda: \(kind == "gaussian" ? 0 : 6)}
                ansatz: {kind: \(kind)\(network)}
                sampler: {kind: mala, chains: 8, thermalization: 40, sweep: 4}
                optimizer: {steps: 12, samples: 64, learning_rate: 0.1, learning_rate_final: 0.05\(kind == "gaussian" ? "" : ", gaussian_steps: 5")}
                evaluation: {samples: 512}
                """, defaultName: "resume")
    }

    @Test(arguments: ["gaussian", "symmetric"])
    func stopAnywhereThenResumeIsIdentical(kind: String) throws {
        let simulation = GroundStateRun(configuration: try configuration(kind))
        var counting = RunControl<GroundStateCheckpoint>()
        let all = PollCounter()
        counting.stop = all.check
        let whole = try simulation.run(counting)
        let polls = all.count
        #expect(polls > 30, "the stop is polled inside the phases, not only between steps")

        var stages = Set<String>()
        for stopAt in Array(stride(from: 1, to: polls, by: max(1, polls / 25))) + [polls - 1] {
            var control = RunControl<GroundStateCheckpoint>()
            control.stop = PollCounter(stopAt: stopAt).check
            var saved: GroundStateCheckpoint?
            do {
                _ = try simulation.run(control)
            } catch RunStopped<GroundStateCheckpoint>.interrupted(let checkpoint) {
                saved = checkpoint
            }
            let checkpoint = try #require(saved, "stop at poll \(stopAt) of \(polls)")
            stages.insert(
                checkpoint.gaussian != nil ? "gaussian" : checkpoint.evaluation == nil
                    ? (checkpoint.step < 12 ? "optimisation" : "evaluation") : "reference")
            var resumed = RunControl<GroundStateCheckpoint>()
            resumed.resume = try JSONOutput.decode(
                GroundStateCheckpoint.self, from: JSONOutput.encode(checkpoint, allowingNonFinite: true))
            let rest = try simulation.run(resumed)
            #expect(rest.history.map(\.energy) == whole.history.map(\.energy), "stop at poll \(stopAt)")
            #expect(rest.energy == whole.energy, "stop at poll \(stopAt)")
            #expect(rest.tables == whole.tables, "stop at poll \(stopAt)")
            #expect(rest.checkpoint.parameters == whole.checkpoint.parameters)
            #expect(rest.gaussianBaseline?.energy == whole.gaussianBaseline?.energy)
            #expect(rest.reference == whole.reference)
        }
        #expect(stages.isSuperset(of: kind == "gaussian" ? ["optimisation", "evaluation"] : ["gaussian", "optimisation", "evaluation"]))
    }

    @Test func checkpointOfAnotherConfigurationIsRefusedNamingTheKeys() throws {
        let yaml = "lattice: {extent: [4]}\ntheory: {m2: 1, lambda: 0}\nsampler: {chains: 4, sweep: 4}\noptimizer: {steps: 3, samples: 16}\nevaluation: {samples: 64}\n"
        let a = try GroundStateConfiguration.parse(yaml: yaml, defaultName: "a")
        var b = a
        b.theory.m2 = 2
        b.sampler.sweep = 8
        var control = RunControl<GroundStateCheckpoint>()
        control.resume = try GroundStateRun(configuration: a).run().checkpoint
        #expect {
            try GroundStateRun(configuration: b).run(control)
        } throws: { error in
            let message = "\(error)"
            return message.contains("theory.m2 is 1 there, 2 here") && message.contains("sampler.sweep is 4 there, 8 here")
        }
    }

    /// Where the run directory is (and how often it checkpoints) is not part of the run.
    @Test func anotherOutputSectionResumes() throws {
        let yaml = "lattice: {extent: [4]}\ntheory: {m2: 1, lambda: 0}\nsampler: {chains: 4, sweep: 4}\noptimizer: {steps: 3, samples: 16}\nevaluation: {samples: 64}\n"
        let a = try GroundStateConfiguration.parse(yaml: yaml, defaultName: "a")
        var b = a
        b.output.directory = "./elsewhere/../moved"
        b.output.checkpointEvery = 7
        #expect(a.differences(from: b).isEmpty)
        var control = RunControl<GroundStateCheckpoint>()
        control.resume = try GroundStateRun(configuration: a).run().checkpoint
        #expect(try GroundStateRun(configuration: b).run(control).energy == GroundStateRun(configuration: a).run().energy)
    }
}
