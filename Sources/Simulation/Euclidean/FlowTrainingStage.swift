import Foundation
import Lattice
import LinearAlgebra
import NormalizingFlows
import Parallelism
import RunEngine
import Statistics
import Optimizers
import VMC

/// Training of a flow by Adam on the reverse KL divergence, in units of at most
/// 25 steps; each step draws a fresh prior batch from the training stream.
/// A step whose loss or gradient is not finite diverges (the unit is retried
/// from before it with the learning rate halved, up to 3 times).
struct FlowTrainingStage: RunStage {
    let index: Int
    let template: AffineCouplingFlow
    let action: EuclideanAction
    let steps: Int
    let batch: Int
    let parallelism: Parallelism

    let name = "training"
    let divergenceRetries = 3

    func isComplete(_ state: EuclideanCheckpoint) -> Bool { (state.ensembles[index].flow?.steps ?? 0) >= steps }

    func advance(_ state: inout EuclideanCheckpoint, _ context: StageContext) throws -> (UnitReport, [EuclideanCheckpoint.TrainingStep]) {
        guard var training = state.ensembles[index].flow else { preconditionFailure("a flow ensemble has a flow") }
        if context.attempt > 0 { training.optimizer.scaleLearningRate(by: pow(0.5, Double(context.attempt))) }
        var flow = template
        flow.parameters = training.parameters
        let v = flow.lattice.volume
        var records: [EuclideanCheckpoint.TrainingStep] = []
        let unit = min(25, steps - training.steps)
        for _ in 0..<unit {
            try context.stop.check()
            let start = ContinuousClock.now
            var z = Matrix(rows: batch, columns: v)
            z.storage.withUnsafeMutableBufferPointer { training.random.fillNormal($0) }
            let result = flow.lossAndGradient(z, action: action, parallelism: parallelism)
            guard result.loss.isFinite, result.gradient.allSatisfy(\.isFinite) else {
                throw Divergence("training step \(training.steps + 1): loss \(result.loss)")
            }
            training.optimizer.update(&flow.parameters, gradient: result.gradient)
            training.steps += 1
            let elapsed = seconds(since: start)
            training.seconds += elapsed
            records.append(.init(step: training.steps, loss: result.loss, batchESS: Self.ess(result.logP, result.logQ), seconds: training.seconds))
        }
        training.parameters = flow.parameters
        state.ensembles[index].flow = training
        let last = records.last
        let summary = last.map { String(format: "loss %.4f, batch ESS %.3f", $0.loss, $0.batchESS) } ?? ""
        return (UnitReport(completed: training.steps, total: steps, summary: summary), records)
    }

    func append(_ records: [EuclideanCheckpoint.TrainingStep], to state: inout EuclideanCheckpoint) {
        state.ensembles[index].flow?.history += records
    }

    /// Kish's ESS per sample of the weights `exp(logP - logQ)`.
    static func ess(_ logP: [Double], _ logQ: [Double]) -> Double {
        let logW = zip(logP, logQ).map { $0 - $1 }
        guard let top = logW.max(), top.isFinite else { return 0 }
        var sum = 0.0, squares = 0.0
        for w in logW {
            let e = exp(w - top)
            sum += e
            squares += e * e
        }
        return sum * sum / (Double(logW.count) * squares)
    }
}
