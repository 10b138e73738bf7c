import Foundation
import Parallelism
import RunEngine

/// The variational run's part of `RunKind`: its plan comes from the ansatz's
/// factory (the model's concrete type decides the stages' types), its files
/// from `RunWriter`.
extension Simulation {
    public func plan(resuming checkpoint: Checkpoint?, parallelism: Parallelism) throws
        -> (stages: [any RunStage<Checkpoint>], start: Checkpoint)
    {
        let context = AnsatzContext(configuration: configuration, theory: theory, fft: fft)
        return try configuration.ansatz.kind.factory.build(
            context, into: VMCPlan(simulation: self, checkpoint: checkpoint, parallelism: parallelism))
    }

    public func position(_ state: Checkpoint) -> String {
        if state.gaussian != nil { return "during the Gaussian warm start" }
        if !state.optimization.thermalized { return "during the thermalisation" }
        if state.evaluation == nil {
            return state.step < state.configuration.optimizer.steps
                ? "after optimisation step \(state.step)" : "during the evaluation"
        }
        return "during the exact reference"
    }

    public func writePartial(_ state: Checkpoint, to directory: URL) throws {
        try RunWriter.writePartial(state, to: directory)
    }

    public func writeComplete(_ state: Checkpoint, to directory: URL) throws -> (report: String, warnings: [String]) {
        let result = try result(state)
        try RunWriter.write(result, configuration: configuration, to: directory)
        return (RunReport(result: result, directory: directory.path).text, result.warnings)
    }
}
