import CActivations
import Foundation
import LinearAlgebra
import NeuralAnsatz
import Statistics
import Testing
import TestSupport

/// The factored Jacobian's products against the explicit matrix it stands for.
@Suite struct ParameterJacobianTests {
    /// A symmetrised Gaussian x two-layer network: dense and layer blocks, layer
    /// blocks with two terms, rows stacked from chunks of 4.
    func jacobian() -> ParameterJacobian {
        var model = testNetworkModel(extent: [6], hidden: [5, 3], seed: 5)
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
        // Gram statistics: dense blocks are diagonal blocks of O^T O (or their
        // diagonals), outer blocks the sums of their factors' Grams.
        let full = product(dense, .transpose, dense, .none)
        var offset = 0
        for (block, gram) in zip(o.blocks, o.gramBlocks(denseLimit: 3)) {
            switch (block, gram) {
            case (.dense(let m), .dense(let g)):
                for i in 0..<m.columns { for j in 0..<m.columns { #expect(isClose(g[i, j], full[offset + i, offset + j], relative: 1e-13)) } }
            case (.dense(let m), .diagonal(let d)):
                #expect(m.columns > 3)
                for i in 0..<m.columns { #expect(isClose(d[i], full[offset + i, offset + i], relative: 1e-13)) }
            case (.layer(let terms), .kronecker(let left, let right)):
                let l = terms.map { product($0.left, .transpose, $0.left, .none).storage }
                #expect(maxRelativeDeviation(left.storage, zip(l[0], l[1]).map(+)) < 1e-13)
                // [z, 1]^T [z, 1] of both terms: z^T z, the column sums, and the row count.
                let n = terms[0].right.columns
                #expect(right.rows == n + 1 && isClose(right[n, n], 22, relative: 1e-15))
                for i in 0..<n {
                    let sums = terms.map { t in (0..<11).reduce(0.0) { $0 + t.right[$1, i] } }
                    #expect(isClose(right[i, n], sums[0] + sums[1], relative: 1e-13))
                    for j in 0..<n {
                        let g = terms.map { t in (0..<11).reduce(0.0) { $0 + t.right[$1, i] * t.right[$1, j] } }
                        #expect(isClose(right[i, j], g[0] + g[1], relative: 1e-13))
                    }
                }
            default: Issue.record("unexpected Gram block \(gram) for \(block)")
            }
            offset += block.columns
        }
    }

    @Test func stackingAndAddingMatchTheExplicitMatrix() {
        let o = jacobian()
        let halves = [0..<5, 5..<11].map { r in
            var part = ParameterJacobian(rows: r.count)
            for block in o.blocks {
                switch block {
                case .dense(let m): part.append(.dense(m.rows(r)))
                case .layer(let terms):
                    part.append(.layer(terms.map { .init(left: $0.left.rows(r), right: $0.right.rows(r)) }))
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

    /// The vectorised exponential every activation is built on (vector_exp.h),
    /// through its batch loop: within 2 ulp of libm on its domain [-708, 709],
    /// clamped beyond it, NaN through.
    @Test func exponentialMatchesLibm() {
        var rng = RandomSource(seed: 31)
        let xs = stride(from: -708.0, through: 709.0, by: 0.0731).map { $0 }
            + (0..<100_000).map { _ in 0.4 * rng.normal() } + [0, -0.0, 1e-300, -1e-300]
        var y = xs
        nqft_exponential(&y, y.count)
        for (x, e) in zip(xs, y) {
            let exact = Foundation.exp(x)
            #expect(abs(e - exact) <= 2 * exact.ulp, "exp(\(x)) = \(e), libm \(exact)")
        }
        var outside = [-800.0, 800.0, .nan]
        nqft_exponential(&outside, 3)
        #expect(abs(outside[0] - Foundation.exp(-708.0)) <= 2 * Foundation.exp(-708.0).ulp)
        #expect(abs(outside[1] - Foundation.exp(709.0)) <= 2 * Foundation.exp(709.0).ulp)
        #expect(outside[2].isNaN)
    }
}
