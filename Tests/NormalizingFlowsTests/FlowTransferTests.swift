import Foundation
import Lattice
import LinearAlgebra
import NormalizingFlows
import Optimizers
import Parallelism
import Sampling
import Statistics
import Testing

/// A kernel-coupling flow's parameters mean the same on every lattice: trained on
/// 6x6 and loaded on 12x12 (at the same couplings), its first batch there has an
/// ESS far above chance — above 0.1 and above ten times that of the same
/// architecture untrained (the identity map on its Gaussian layer), which is the
/// chance level of a flow that has not learned the theory.
struct FlowTransferTests {
    /// The flow convention's m2 = -4, lam = 6.975 (the ladder's L = 6 point) in the project's.
    static func action(_ extent: [Int]) -> EuclideanAction {
        EuclideanAction(lattice: Lattice(extent: extent), massSquared: -4, coupling: 6 * 6.975)
    }

    static func firstBatchESS(_ flow: KernelCouplingFlow, seed: UInt64) -> Double {
        var random = RandomSource(seed: seed)
        let v = flow.lattice.volume
        var z = Matrix(rows: 256, columns: v)
        z.storage.withUnsafeMutableBufferPointer { random.fillNormal($0) }
        let batch = flow.lossAndGradient(z, action: action(flow.lattice.extent), parallelism: Parallelism(threads: 2))
        return KernelCouplingFlow.effectiveSampleFraction(logP: batch.logP, logQ: batch.logQ)
    }

    @Test func flowTrainedAtSixLoadsAtTwelve() {
        var random = RandomSource(seed: 3)
        var flow = KernelCouplingFlow(lattice: Lattice(extent: [6, 6]), layers: 4, features: 3, channels: 3, random: &random)
        let untrained = Self.firstBatchESS(flow.on(Lattice(extent: [12, 12])), seed: 7)
        var adam = Adam(learningRate: Schedule(initial: 0.01, final: 0.002, steps: 600))
        let small = Self.action([6, 6])
        for _ in 0..<600 {
            var z = Matrix(rows: 64, columns: 36)
            z.storage.withUnsafeMutableBufferPointer { random.fillNormal($0) }
            let batch = flow.lossAndGradient(z, action: small, parallelism: Parallelism(threads: 2))
            adam.update(&flow.parameters, gradient: batch.gradient)
        }
        let there = Self.firstBatchESS(flow, seed: 7)
        let transferred = Self.firstBatchESS(flow.on(Lattice(extent: [12, 12])), seed: 7)
        #expect(transferred > 0.1 && transferred > 10 * untrained, "ESS at 12x12: \(transferred) transferred, \(untrained) untrained (\(there) at 6x6)")
    }
}
