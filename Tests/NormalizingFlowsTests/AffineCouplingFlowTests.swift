import Foundation
import Lattice
import LinearAlgebra
import NormalizingFlows
import Parallelism
import Statistics
import Testing
import TestSupport

/// The flow's exactness: invertible to rounding, its log-determinant the log of
/// the Jacobian's determinant, its loss gradient the derivative of its loss.
struct AffineCouplingFlowTests {
    /// A flow whose layers are far from the identity (scaled-up parameters).
    static func flow(_ extent: [Int], layers: Int = 4, hidden: [Int] = [4, 4], scale: Double = 3) -> AffineCouplingFlow {
        var random = RandomSource(seed: 7)
        var flow = AffineCouplingFlow(lattice: Lattice(extent: extent), layers: layers, hidden: hidden, kernel: 3, random: &random)
        flow.parameters = flow.parameters.map { $0 * scale }
        return flow
    }

    static func prior(_ b: Int, _ v: Int, seed: UInt64) -> Matrix {
        var random = RandomSource(seed: seed)
        return Matrix(rows: b, columns: v, storage: (0..<(b * v)).map { _ in random.normal() })
    }

    @Test(arguments: [[8, 8], [6], [4, 3, 2]])
    func inverseUndoesTheFlow(extent: [Int]) {
        let flow = Self.flow(extent)
        let v = extent.reduce(1, *)
        let z = Self.prior(5, v, seed: 1)
        let (x, logQ) = flow.sample(z)
        let (back, logDet) = flow.inverse(x)
        #expect(maxRelativeDeviation(back.storage, z.storage) < 1e-12)
        // The inverse reports the forward log-determinant: log q = log r(z) - logDet.
        let constant = -0.5 * Double(v) * log(2 * Double.pi)
        let prior: [Double] = (0..<5).map { i in
            var sum = 0.0
            for x in 0..<v { sum += z[i, x] * z[i, x] }
            return constant - 0.5 * sum
        }
        #expect(maxRelativeDeviation(zip(prior, logDet).map { $0 - $1 }, logQ) < 1e-12)
        #expect(maxRelativeDeviation(x.storage, z.storage) > 0.1, "the flow is not the identity")
    }

    /// log |det dx/dz| against LAPACK's LU determinant of the central-difference
    /// Jacobian on a 3 x 2 lattice.
    @Test func logDeterminantMatchesTheJacobian() throws {
        let flow = Self.flow([3, 2])
        let v = 6
        let z = Self.prior(1, v, seed: 2)
        let (_, logDet) = flow.inverse(flow.sample(z).x)
        let jacobian = FiniteDifference.jacobian({ flow.sample(Matrix(rows: 1, columns: v, storage: $0)).x.storage }, at: z.storage, step: 1e-6)
        let lapack = try logAbsDeterminant(jacobian)
        #expect(abs(lapack - logDet[0]) < 1e-7 * max(1, abs(lapack)), "LAPACK \(lapack), flow \(logDet[0])")
    }

    /// The reverse-KL gradient against central differences of the loss at fixed z.
    /// Hidden widths 8 and 3 take the convolution's vector path and its general one.
    @Test(arguments: [(1, [3]), (2, [3]), (2, [8, 8])])
    func lossGradientMatchesFiniteDifferences(threads: Int, hidden: [Int]) {
        let flow = Self.flow([4, 4], layers: 3, hidden: hidden, scale: 1.5)
        let action = EuclideanAction(lattice: flow.lattice, massSquared: -1, coupling: 12)
        let z = Self.prior(6, 16, seed: 3)
        let batch = flow.lossAndGradient(z, action: action, parallelism: Parallelism(threads: threads))
        let base = flow.parameters
        var random = RandomSource(seed: 4)
        let checked = (0..<40).map { _ in Int(random.next() % UInt64(base.count)) }
        let loss = { (p: [Double]) -> Double in
            var moved = flow
            moved.parameters = p
            return moved.lossAndGradient(z, action: action, parallelism: .serial).loss
        }
        let numeric = checked.map { FiniteDifference.first(loss, at: base, index: $0, step: 1e-5) }
        let analytic = checked.map { batch.gradient[$0] }
        #expect(maxRelativeDeviation(analytic, numeric) < 1e-6, "\(zip(analytic, numeric).map { ($0, $1) })")
    }
}
