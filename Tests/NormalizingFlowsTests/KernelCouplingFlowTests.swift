import Foundation
import Lattice
import LinearAlgebra
import NormalizingFlows
import Parallelism
import Sampling
import Statistics
import Testing
import TestSupport

/// The kernel-coupling flow's exactness: its symmetries exact to rounding, its
/// inverse and log-determinant exact, its loss gradient the derivative of its
/// loss, its parameters meaningful on a larger lattice.
struct KernelCouplingFlowTests {
    /// A flow far from the identity: coefficients drawn at `scale`, frequencies spread.
    static func flow(_ extent: [Int], layers: Int = 4, features: Int = 3, channels: Int = 2, scale: Double = 0.5) -> KernelCouplingFlow {
        var random = RandomSource(seed: 11)
        var flow = KernelCouplingFlow(lattice: Lattice(extent: extent), layers: layers, features: features, channels: channels, random: &random)
        // The Gaussian layer's logarithms milder (log(0.0002) ~ -8.5), every other parameter at `scale`.
        let gaussian = FlowKernelBasis.gaussianCount(dimension: extent.count), plain = FlowKernelBasis.count(dimension: extent.count)
        for p in 0..<(flow.parameters.count - (features - 1)) { flow.parameters[p] = (p >= plain && p < gaussian ? 0.05 : scale) * random.normal() }
        return flow
    }

    static func prior(_ b: Int, _ v: Int, seed: UInt64) -> Matrix {
        var random = RandomSource(seed: seed)
        return Matrix(rows: b, columns: v, storage: (0..<(b * v)).map { _ in random.normal() })
    }

    static func translated(_ m: Matrix, _ lattice: Lattice, by offset: [Int]) -> Matrix {
        let v = lattice.volume
        return Matrix(rows: m.rows, columns: v, storage: (0..<m.rows).flatMap { lattice.translated(m.storage[($0 * v)..<(($0 + 1) * v)], by: offset) })
    }

    static func deviation(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).map { abs($0 - $1) }.max() ?? .infinity }

    /// The map commutes with phi -> -phi and with the translations of even
    /// coordinate sum; the sampled density (the average over the unit shift) is
    /// invariant under every translation.
    @Test(arguments: [[6, 6], [8, 4], [6], [4, 2, 2]])
    func symmetriesAreExact(extent: [Int]) {
        let flow = Self.flow(extent)
        let lattice = flow.lattice, v = lattice.volume
        let z = Self.prior(3, v, seed: 1)
        let (x, logQ) = flow.sample(z)
        let scale = x.storage.map(abs).max() ?? 1
        let flipped = flow.sample(Matrix(rows: 3, columns: v, storage: z.storage.map { -$0 }))
        #expect(Self.deviation(flipped.x.storage, x.storage.map { -$0 }) < 1e-12 * scale)
        #expect(maxRelativeDeviation(flipped.logQ, logQ) < 1e-12)
        var even = [Int](repeating: 0, count: extent.count)
        even[0] = 1
        even[extent.count > 1 ? 1 : 0] += 1
        let moved = flow.sample(Self.translated(z, lattice, by: even))
        #expect(Self.deviation(moved.x.storage, Self.translated(x, lattice, by: even).storage) < 1e-12 * scale, "offset \(even)")
        #expect(maxRelativeDeviation(moved.logQ, logQ) < 1e-12)
        // The sampled density: invariant under the unit shift, which the map itself is not.
        let density = flow.logDensity(FieldBatch(rows: 3, columns: v, storage: x.storage), parallelism: .serial)
        var unit = [Int](repeating: 0, count: extent.count)
        unit[extent.count - 1] = 1
        let shifted = Self.translated(x, lattice, by: unit)
        let shiftedDensity = flow.logDensity(FieldBatch(rows: 3, columns: v, storage: shifted.storage), parallelism: .serial)
        #expect(maxRelativeDeviation(shiftedDensity, density) < 1e-12)
        #expect(maxRelativeDeviation(flow.inverse(shifted).logQ, logQ) > 1e-6, "the map alone is not invariant under the unit shift")
        #expect(maxRelativeDeviation(x.storage, z.storage) > 0.1, "the flow is not the identity")
    }

    /// The point group: a reflection of an axis, and the exchange of the axes of a square lattice.
    @Test func commutesWithReflectionsAndAxisExchange() {
        let flow = Self.flow([6, 6])
        let lattice = flow.lattice, v = 36
        let z = Self.prior(2, v, seed: 5)
        let (x, logQ) = flow.sample(z)
        for map in [{ (c: [Int]) in [(6 - c[0]) % 6, c[1]] }, { (c: [Int]) in [c[1], c[0]] }] {
            var moved = z, expected = x
            for s in 0..<v {
                let t = lattice.site(at: map(lattice.coordinates(of: s)))
                for i in 0..<2 {
                    moved.storage[i * v + t] = z.storage[i * v + s]
                    expected.storage[i * v + t] = x.storage[i * v + s]
                }
            }
            let result = flow.sample(moved)
            #expect(maxRelativeDeviation(result.x.storage, expected.storage) < 1e-12)
            #expect(maxRelativeDeviation(result.logQ, logQ) < 1e-12)
        }
    }

    @Test(arguments: [[8, 8], [6], [4, 2, 4]])
    func inverseUndoesTheFlow(extent: [Int]) {
        let flow = Self.flow(extent, scale: 0.8)
        let v = flow.lattice.volume
        let z = Self.prior(5, v, seed: 2)
        let (x, logQ) = flow.sample(z)
        let (back, logQBack) = flow.inverse(x)
        #expect(maxRelativeDeviation(back.storage, z.storage) < 1e-11)
        #expect(maxRelativeDeviation(logQBack, logQ) < 1e-12)
    }

    /// log q against log N(z) - log |det dx/dz| with LAPACK's LU determinant of
    /// the central-difference Jacobian on a 4 x 2 lattice.
    @Test func logDensityMatchesTheJacobian() throws {
        let flow = Self.flow([4, 2], scale: 0.8)
        let v = 8
        let z = Self.prior(1, v, seed: 3)
        let (_, logQ) = flow.sample(z)
        let jacobian = FiniteDifference.jacobian({ flow.sample(Matrix(rows: 1, columns: v, storage: $0)).x.storage }, at: z.storage, step: 1e-5)
        let logPrior = -0.5 * Double(v) * log(2 * Double.pi) - 0.5 * z.storage.reduce(0) { $0 + $1 * $1 }
        let lapack = logPrior - (try logAbsDeterminant(jacobian))
        #expect(abs(lapack - logQ[0]) < 1e-7 * max(1, abs(lapack)), "LAPACK \(lapack), flow \(logQ[0])")
    }

    /// The reverse-KL gradient against central differences of the loss at fixed
    /// z, every parameter (Gaussian layer, both kernels of every layer,
    /// frequencies), on one thread and two.
    @Test(arguments: [1, 2])
    func lossGradientMatchesFiniteDifferences(threads: Int) {
        let flow = Self.flow([4, 4], layers: 3, features: 3, scale: 0.3)
        let action = EuclideanAction(lattice: flow.lattice, massSquared: -1, coupling: 12)
        let z = Self.prior(6, 16, seed: 4)
        let batch = flow.lossAndGradient(z, action: action, parallelism: Parallelism(threads: threads))
        let base = flow.parameters
        let loss = { (p: [Double]) -> Double in
            var moved = flow
            moved.parameters = p
            return moved.lossAndGradient(z, action: action, parallelism: .serial).loss
        }
        let numeric = (0..<base.count).map { FiniteDifference.first(loss, at: base, index: $0, step: 1e-5) }
        let analytic = (0..<base.count).map { batch.gradient[$0] }
        let scale = numeric.map(abs).max() ?? 1
        let worst = Self.deviation(numeric, analytic)
        #expect(worst < 1e-6 * scale, "worst gradient deviation \(worst) of scale \(scale)")
        // The loss is mean(log q + S) of the sampled fields.
        let (x, logQ) = flow.sample(z)
        var mean = 0.0
        x.storage.withUnsafeBufferPointer { xs in
            for i in 0..<6 { mean += logQ[i] + action.action(xs.baseAddress! + 16 * i) }
        }
        #expect(abs(mean / 6 - batch.loss) < 1e-10 * max(1, abs(batch.loss)))
    }

    /// The same parameters on a lattice of twice the extent: the kernels are the
    /// same functions of momentum, so a constant field moves identically on both.
    @Test func parametersMeanTheSameOnALargerLattice() {
        let small = Self.flow([4, 4])
        let large = small.on(Lattice(extent: [8, 8]))
        #expect(large.parameters == small.parameters)
        let x4 = small.sample(Matrix(rows: 1, columns: 16, storage: [Double](repeating: 0.7, count: 16)))
        let x8 = large.sample(Matrix(rows: 1, columns: 64, storage: [Double](repeating: 0.7, count: 64)))
        #expect(abs(x4.x.storage[0] - x8.x.storage[0]) < 1e-12)
        #expect(abs(x4.x.storage[1] - x8.x.storage[1]) < 1e-12)
        #expect(abs(x4.x.storage[0] - 0.7) > 1e-3)
    }
}
