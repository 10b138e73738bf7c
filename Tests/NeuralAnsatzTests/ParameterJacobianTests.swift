import Foundation
import FourierTransform
import Lattice
import LinearAlgebra
import NeuralAnsatz
import Statistics
import Testing
import TestSupport

/// The factored Jacobian's products against the explicit matrix it stands for.
@Suite struct ParameterJacobianTests {
    /// A symmetrised Gaussian x two-layer network: dense and outer blocks, outer
    /// blocks with two terms, rows stacked from chunks of 4.
    func jacobian() -> ParameterJacobian {
        let lattice = Lattice(extent: [6])
        let net = MultilayerPerceptron(inputs: 6, hidden: [5, 3], activation: .tanh)
        var rng = RandomSource(seed: 5)
        var model = GaussianNetwork(
            base: GaussianAnsatz(lattice: lattice, fft: RealFFT(extent: [6])), network: net,
            networkParameters: net.initialParameters(random: &rng, outputScale: 1), symmetrized: true)
        model.chunkSize = 4
        return model.parameterJacobian(testFields(samples: 11, sites: 6, seed: 3, scale: 1.2))
    }

    @Test func productsMatchTheExplicitMatrix() {
        let o = jacobian()
        let dense = o.dense
        #expect(dense.rows == 11 && dense.columns == o.columns)
        let v = testFields(samples: 1, sites: o.columns, seed: 8).storage
        let u = testFields(samples: 1, sites: 11, seed: 9).storage
        var ov = [Double](repeating: 0, count: 11), otu = [Double](repeating: 0, count: o.columns)
        gemv(.none, dense, v, into: &ov)
        gemv(.transpose, dense, u, into: &otu)
        #expect(maxRelativeDeviation(o.apply(v), ov) < 1e-13)
        #expect(maxRelativeDeviation(o.applyTranspose(u), otu) < 1e-13)
        let squares = (0..<o.columns).map { q in (0..<11).reduce(0.0) { $0 + dense[$1, q] * dense[$1, q] } }
        #expect(maxRelativeDeviation(o.columnSquareSums, squares) < 1e-13)
    }

    @Test func stackingAndAddingMatchTheExplicitMatrix() {
        let o = jacobian()
        let halves = [0..<5, 5..<11].map { r in
            var part = ParameterJacobian(rows: r.count)
            for block in o.blocks {
                switch block {
                case .dense(let m): part.append(.dense(m.rows(r)))
                case .outer(let terms):
                    part.append(.outer(terms.map { .init(left: $0.left.rows(r), right: $0.right.rows(r)) }))
                }
            }
            return part
        }
        #expect(ParameterJacobian(stacking: halves).dense == o.dense)
        let doubled = o.adding(o).dense
        #expect(maxRelativeDeviation(doubled.storage, o.dense.storage.map { 2 * $0 }) < 1e-15)
    }
}

/// The vectorised activations against libm, over the range a network meets and
/// beyond (where they must saturate without overflow).
@Suite struct ActivationAccuracyTests {
    @Test func activationsMatchLibm() {
        let xs = stride(from: -800.0, through: 800.0, by: 0.37).map { $0 } + stride(from: -20.0, through: 20.0, by: 0.0013).map { $0 }
        for x in xs {
            let t = Activation.tanh.evaluate(x)
            // 1 - 2/(e^{2x} + 1): two roundings near 1, at most 2 ulp(1) = 4.4e-16;
            // the derivative 1 - t^2 doubles that and adds its own rounding.
            #expect(abs(t.value - Foundation.tanh(x)) <= 4.5e-16, "tanh(\(x))")
            #expect(abs(t.first - (1 - Foundation.tanh(x) * Foundation.tanh(x))) <= 1.2e-15, "tanh'(\(x))")
            let s = 1 / (1 + Foundation.exp(-x))
            let silu = Activation.silu.evaluate(x)
            #expect(abs(silu.value - x * s) <= 4e-16 * max(1, abs(x)), "silu(\(x))")
            let softplus = Activation.softplus.evaluate(x)
            let exact = max(x, 0) + Foundation.log1p(Foundation.exp(-abs(x)))
            #expect(abs(softplus.value - exact) <= 4e-16 * max(1, abs(exact)), "softplus(\(x))")
            #expect(abs(softplus.first - s) <= 4e-16, "softplus'(\(x))")
        }
        #expect(Activation.tanh.evaluate(.nan).value.isNaN)
    }
}
