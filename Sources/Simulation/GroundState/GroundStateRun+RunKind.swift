import Foundation
import Output
import Parallelism
import RunEngine
import SimulationConfig

/// The variational run's part of `RunnableKind`: its plan comes from the
/// ansatz's factory (the model's concrete type decides the stages' types).
extension GroundStateRun {
    public static let files = ["energy.csv", "correlator_k.csv", "correlator_r.csv"]

    public func plan(resuming checkpoint: GroundStateCheckpoint?, parallelism: Parallelism) throws
        -> (stages: [any RunStage<GroundStateCheckpoint>], start: GroundStateCheckpoint)
    {
        let context = AnsatzContext(configuration: configuration, theory: theory, fft: fft)
        return try configuration.ansatz.kind.factory.build(
            context, into: VMCPlan(simulation: self, checkpoint: checkpoint, parallelism: parallelism))
    }

    public func position(_ state: GroundStateCheckpoint) -> String {
        if state.gaussian != nil { return "during the Gaussian warm start" }
        if !state.optimization.thermalized { return "during the thermalisation" }
        if state.evaluation == nil {
            if state.step < state.configuration.optimizer.steps && state.evaluating == nil && state.optimization.targetReachedAtStep == nil {
                return "after optimisation step \(state.step)"
            }
            guard let e = state.evaluating, e.thermalized else { return "during the evaluation" }
            return e.finished ? "during the evaluation's analysis" : "during the evaluation (\(e.done) of \(e.planned) sweeps measured)"
        }
        return "during the exact reference"
    }

    /// energy.csv of the steps so far.
    public func partialTables(_ state: GroundStateCheckpoint) -> [String: CSVTable] {
        var table = CSVTable(header: ["step", "energy", "error", "variance", "acceptance", "learning_rate", "seconds"])
        for r in state.history {
            table.append([
                .integer(r.step), .number(r.energy.mean), .number(r.energy.error), .number(r.energy.variance),
                .number(r.acceptance), .number(r.learningRate), .number(r.seconds),
            ])
        }
        return ["energy.csv": table]
    }

    public func outcome(_ state: GroundStateCheckpoint) throws -> RunOutcome {
        let result = try result(state)
        return RunOutcome(
            summary: GroundStateSummary(configuration: configuration, result: result), tables: result.tables,
            report: GroundStateReport(result: result).lines)
    }

    public func memoryEstimate() -> MemoryEstimate { MemoryEstimate(configuration: configuration) }

    /// What the ansatz cannot do, and chains too few for the ranks.
    public func preflightIssues(ranks: Int) -> [ConfigIssue] {
        var issues = Self.capabilityIssues(configuration)
        if configuration.sampler.chains < ranks {
            // Each rank advances whole groups of chains; one without any would idle in every reduction.
            issues.append(ConfigIssue(
                path: "sampler.chains",
                message: "\(configuration.sampler.chains) is fewer than the \(ranks) MPI ranks; use at least \(ranks) chains (8 per rank keeps the numbers equal to one process's), or fewer ranks"))
        }
        return issues
    }
}
