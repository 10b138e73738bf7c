import Execution
import Foundation
import Lattice
import LinearAlgebra
import NormalizingFlows
import Optimizers
import Parallelism
import RunEngine
import Sampling
import Statistics

/// Training of a flow by Adam on the reverse KL divergence through a schedule
/// of lattices (the flow's parameters carried from each to the next: a flow
/// whose parameters mean the same on any lattice trains cheaply small and is
/// refined large), in units of at most 25 steps, never across two lattices.
/// Each step draws a fresh prior batch from the training stream; every
/// `validationEvery` steps, and at each lattice's last step, the pooled ESS of
/// a fixed validation batch (the same prior draws every time, proposed as the
/// sampler will propose them). A step whose loss or gradient is not finite
/// diverges (the unit is retried from before it with the learning rate
/// halved, up to 3 times).
struct FlowTrainingStage<Flow: FieldFlow>: RunStage {
    /// A lattice of the schedule: the flow and action on it, and its steps.
    struct Phase: Sendable {
        let flow: Flow
        let action: EuclideanAction
        let steps: Int
        /// The validation's streams (one per proposal), copied fresh for every validation.
        let validation: [RandomSource]
    }

    let index: Int
    let phases: [Phase]
    let batch: Int
    let validationEvery: Int
    let parallelism: Parallelism

    let name = "training"
    let divergenceRetries = 3

    var steps: Int { phases.reduce(0) { $0 + $1.steps } }

    /// The phase of step `n` (0-based) and the last step of that phase (1-based).
    func phase(ofStep n: Int) -> (index: Int, end: Int) {
        var end = 0
        for (i, p) in phases.enumerated() {
            end += p.steps
            if n < end { return (i, end) }
        }
        return (phases.count - 1, end)
    }

    func isComplete(_ state: EuclideanCheckpoint) -> Bool { (state.ensembles[index].flow?.steps ?? 0) >= steps }

    func advance(_ state: inout EuclideanCheckpoint, _ context: StageContext) throws -> (UnitReport, [EuclideanCheckpoint.TrainingStep]) {
        guard var training = state.ensembles[index].flow else { throw RunError.unsupported("a flow ensemble has no flow state") }
        if context.attempt > 0 { training.optimizer.scaleLearningRate(by: pow(0.5, Double(context.attempt))) }
        let (p, end) = phase(ofStep: training.steps)
        let phase = phases[p]
        var flow = phase.flow
        flow.parameters = training.parameters
        let v = flow.lattice.volume
        var records: [EuclideanCheckpoint.TrainingStep] = []
        for _ in 0..<min(25, end - training.steps) {
            try context.stop.check()
            let start = ContinuousClock.now
            var z = Matrix(rows: batch, columns: v)
            z.storage.withUnsafeMutableBufferPointer { training.random.fillNormal($0) }
            let result = flow.lossAndGradient(z, action: phase.action, parallelism: parallelism)
            let norm = result.gradient.reduce(0) { $0 + $1 * $1 }.squareRoot()
            guard result.loss.isFinite, norm.isFinite else {
                throw Divergence("training step \(training.steps + 1) on \(Self.label(flow.lattice)): loss \(result.loss), gradient norm \(norm)")
            }
            let learningRate = training.optimizer.learningRate
            training.optimizer.update(&flow.parameters, gradient: result.gradient)
            training.steps += 1
            let logW = zip(result.logP, result.logQ).map { $0 - $1 }
            var record = EuclideanCheckpoint.TrainingStep(
                step: training.steps, phase: p, loss: result.loss / Double(v), logZ: Self.logMeanExp(logW) / Double(v),
                batchESS: Flow.effectiveSampleFraction(logP: result.logP, logQ: result.logQ), gradientNorm: norm,
                learningRate: learningRate, seconds: 0, validationESS: nil)
            if training.steps % validationEvery == 0 || training.steps == end {
                record.validationESS = try validate(flow, phase, stop: context.stop)
            }
            let elapsed = seconds(since: start)
            training.seconds += elapsed
            training.phaseSeconds[p] += elapsed
            record.seconds = training.seconds
            records.append(record)
        }
        training.parameters = flow.parameters
        state.ensembles[index].flow = training
        let summary = records.last.map { r in
            String(format: "%@: loss/V %.5f, batch ESS %.3f", Self.label(flow.lattice), r.loss, r.batchESS)
                + (r.validationESS.map { String(format: ", validation ESS %.3f", $0) } ?? "")
        } ?? ""
        return (UnitReport(completed: training.steps, total: steps, summary: summary), records)
    }

    func append(_ records: [EuclideanCheckpoint.TrainingStep], to state: inout EuclideanCheckpoint) {
        state.ensembles[index].flow?.history += records
    }

    /// The pooled ESS of the phase's validation proposals under the flow, proposed
    /// in chunks of 64 with the stop check polled between them (each proposal has
    /// its own stream, so the chunks give the numbers of one batch): a validation
    /// of a large lattice takes tens of seconds.
    func validate(_ flow: Flow, _ phase: Phase, stop: StopCheck) throws -> Double {
        var logP: [Double] = [], logQ: [Double] = []
        for start in stride(from: 0, to: phase.validation.count, by: 64) {
            try stop.check()
            var streams = Array(phase.validation[start..<min(start + 64, phase.validation.count)])
            let (fields, q) = flow.propose(&streams, parallelism: parallelism)
            let v = fields.columns
            logP += fields.storage.withUnsafeBufferPointer { x in (0..<fields.sampleCount).map { -phase.action.action(x.baseAddress! + $0 * v) } }
            logQ += q
        }
        return Flow.effectiveSampleFraction(logP: logP, logQ: logQ)
    }

    /// `log((1/n) sum exp(x_i))`, stably.
    static func logMeanExp(_ x: [Double]) -> Double {
        guard let top = x.max(), top.isFinite else { return x.max() ?? -.infinity }
        return top + log(x.reduce(0) { $0 + exp($1 - top) } / Double(x.count))
    }

    static func label(_ lattice: Lattice) -> String { lattice.extent.map(String.init).joined(separator: "x") }
}
