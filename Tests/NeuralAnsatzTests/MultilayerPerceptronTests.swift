import Foundation
import FourierTransform
import Lattice
import LinearAlgebra
import NeuralAnsatz
import Statistics
import Testing
import TestSupport

/// Every network derivative against central finite differences of the value
/// code, for each activation and depth (STYLE §3).
@Suite struct MultilayerPerceptronTests {
    static let cases: [(Activation, [Int])] = Activation.allCases.flatMap { a in [(a, [5]), (a, [4, 3]), (a, [3, 4, 2])] }

    func network(_ activation: Activation, _ hidden: [Int], inputs: Int = 6) -> (MultilayerPerceptron, [Double]) {
        let net = MultilayerPerceptron(inputs: inputs, hidden: hidden, activation: activation)
        var rng = RandomSource(seed: 17)
        // Output scale 1 so every derivative is O(1) and the comparison is sharp.
        return (net, net.initialParameters(random: &rng, outputScale: 1))
    }

    @Test(arguments: cases)
    func inputDerivativesMatchFiniteDifferences(activation: Activation, hidden: [Int]) {
        let (net, p) = network(activation, hidden)
        let fields = testFields(samples: 3, sites: 6, seed: 2, scale: 1.5)
        let d = net.derivatives(fields, parameters: p)
        #expect(maxRelativeDeviation(d.value, net.value(fields, parameters: p)) < 1e-14)
        for b in 0..<3 {
            let phi = Array(fields.storage[(b * 6)..<((b + 1) * 6)])
            let f = { (x: [Double]) in net.value(FieldBatch(rows: 1, columns: 6, storage: x), parameters: p)[0] }
            // h = 1e-4: truncation h^2 f'''/6 ~ 1e-9; h = 1e-3 for the second
            // derivative: truncation h^2 f''''/12 ~ 1e-7, rounding eps f / h^2 ~ 1e-10.
            #expect(maxRelativeDeviation(Array(d.gradient.storage[(b * 6)..<((b + 1) * 6)]), FiniteDifference.gradient(f, at: phi)) < 1e-8, "\(activation) \(hidden)")
            #expect(isClose(d.laplacian[b], FiniteDifference.laplacian(f, at: phi), relative: 1e-6), "\(activation) \(hidden)")
        }
    }

    @Test(arguments: cases)
    func parameterGradientMatchesFiniteDifferences(activation: Activation, hidden: [Int]) {
        let (net, p) = network(activation, hidden)
        let fields = testFields(samples: 2, sites: 6, seed: 3)
        let o = net.parameterJacobian(fields, parameters: p).dense
        for b in 0..<2 {
            let phi = FieldBatch(rows: 1, columns: 6, storage: Array(fields.storage[(b * 6)..<((b + 1) * 6)]))
            let numeric = FiniteDifference.gradient({ net.value(phi, parameters: $0)[0] }, at: p)
            #expect(maxRelativeDeviation(Array(o.storage[(b * p.count)..<((b + 1) * p.count)]), numeric) < 1e-8, "\(activation) \(hidden)")
        }
    }

    @Test(arguments: Activation.allCases)
    func activationDerivativesMatchFiniteDifferences(activation: Activation) {
        for x in stride(from: -30.0, through: 30.0, by: 0.7) {
            let e = activation.evaluate(x)
            let h = 1e-5
            let d1 = (activation.evaluate(x + h).value - activation.evaluate(x - h).value) / (2 * h)
            let d2 = (activation.evaluate(x + h).first - activation.evaluate(x - h).first) / (2 * h)
            #expect(abs(e.first - d1) < 1e-8 * max(1, abs(x)), "\(activation) at \(x)")
            #expect(abs(e.second - d2) < 1e-8, "\(activation) at \(x)")
        }
    }

    /// The composite model: Gaussian plus network, as it is, even or superposed
    /// (with a shift b = 0.3 and a network whose two halves differ).
    @Test(arguments: [.none, .even, .superposition] as [NetworkSymmetry])
    func gaussianMLPDerivativesMatchFiniteDifferences(symmetry: NetworkSymmetry) {
        let lattice = Lattice(extent: [3, 2])
        let (net, p) = network(.tanh, [5, 3])
        var model = GaussianNetwork(
            base: GaussianAnsatz(lattice: lattice, fft: RealFFT(extent: [3, 2])), network: net,
            networkParameters: p, symmetry: symmetry)
        model.chunkSize = 2  // exercise the chunking
        if symmetry == .superposition { model.shift = 0.3 }
        let fields = testFields(samples: 3, sites: 6, seed: 4)
        let d = model.logPsiDerivatives(fields)
        let o = model.parameterJacobian(fields).dense
        // The Laplacian-free path (used by MALA) agrees with the full one.
        let light = model.logPsiAndGradient(fields)
        #expect(maxRelativeDeviation(light.value, model.logPsi(fields)) < 1e-14)
        #expect(maxRelativeDeviation(light.gradient.storage, d.gradient.storage) < 1e-14)
        for b in 0..<3 {
            let phi = Array(fields.storage[(b * 6)..<((b + 1) * 6)])
            let f = { (x: [Double]) in model.logPsi(FieldBatch(rows: 1, columns: 6, storage: x))[0] }
            #expect(maxRelativeDeviation(Array(d.gradient.storage[(b * 6)..<((b + 1) * 6)]), FiniteDifference.gradient(f, at: phi)) < 1e-8)
            #expect(isClose(d.laplacian[b], FiniteDifference.laplacian(f, at: phi), relative: 1e-6))
            let numeric = FiniteDifference.gradient({ theta in
                var m = model
                m.parameters = theta
                return m.logPsi(FieldBatch(rows: 1, columns: 6, storage: phi))[0]
            }, at: model.parameters)
            #expect(maxRelativeDeviation(Array(o.storage[(b * o.columns)..<((b + 1) * o.columns)]), numeric) < 1e-8)
        }
        if symmetry != .none {
            let minus = FieldBatch(rows: 3, columns: 6, storage: fields.storage.map { -$0 })
            #expect(model.logPsi(minus) == model.logPsi(fields))
        }
    }
}

@Suite struct TranslationInvariantNetworkTests {
    func model(
        _ extent: [Int], kernel: Int, symmetry: NetworkSymmetry = .none, hidden: [Int] = [4, 3], activation: Activation = .silu
    ) -> GaussianNetwork<GaussianAnsatz, TranslationInvariantNetwork> {
        let lattice = Lattice(extent: extent)
        let net = TranslationInvariantNetwork(lattice: lattice, kernelSize: kernel, hidden: hidden, activation: activation)
        var rng = RandomSource(seed: 23)
        var m = GaussianNetwork(
            base: GaussianAnsatz(lattice: lattice, fft: RealFFT(extent: extent)), network: net,
            networkParameters: net.cell.initialParameters(random: &rng, outputScale: 1), symmetry: symmetry)
        if symmetry == .superposition { m.shift = -0.4 }
        m.base.parameters = m.base.parameters.indices.map { 0.1 * Double($0 % 3) }
        return m
    }

    /// log psi(T_a phi) = log psi(phi) for every lattice translation a, to rounding
    /// (the site sums are reordered).
    @Test(arguments: [([6], 3), ([4, 3], 3), ([2, 3, 2], 2), ([1, 5], 3)] as [([Int], Int)])
    func exactlyTranslationInvariant(extent: [Int], kernel: Int) {
        let m = model(extent, kernel: kernel)
        let lattice = m.lattice, v = lattice.volume
        let phi = testFields(samples: 1, sites: v, seed: 5, scale: 1.2)
        let base = m.logPsi(phi)[0]
        for a in 0..<v {
            let shift = lattice.coordinates(of: a)
            var moved = phi
            for x in 0..<v {
                moved.storage[lattice.site(at: zip(lattice.coordinates(of: x), shift).map { $0 + $1 })] = phi.storage[x]
            }
            #expect(isClose(m.logPsi(moved)[0], base, relative: 1e-13), "\(extent) shift \(shift)")
        }
    }

    /// Two hidden layers take the batched path; one hidden layer the one-pass
    /// kernel (`nqft_patch_network`): widths that are not multiples of its
    /// eight-lane sums, and 70 or 72 patches, more than one of its blocks.
    @Test(arguments: [
        ([5], 3, .none, [4, 3], .silu), ([3, 2], 3, .even, [4, 3], .silu), ([2, 2, 2], 2, .none, [4, 3], .silu),
        ([6], 3, .superposition, [4, 3], .silu), ([70], 3, .none, [11], .tanh), ([9, 8], 2, .even, [5], .softplus),
        ([6], 3, .superposition, [8], .silu),
    ] as [([Int], Int, NetworkSymmetry, [Int], Activation)])
    func derivativesMatchFiniteDifferences(extent: [Int], kernel: Int, symmetry: NetworkSymmetry, hidden: [Int], activation: Activation) {
        let m = model(extent, kernel: kernel, symmetry: symmetry, hidden: hidden, activation: activation)
        let v = m.lattice.volume
        let fields = testFields(samples: 2, sites: v, seed: 6)
        let d = m.logPsiDerivatives(fields)
        let o = m.parameterJacobian(fields).dense
        for b in 0..<2 {
            let phi = Array(fields.storage[(b * v)..<((b + 1) * v)])
            let f = { (x: [Double]) in m.logPsi(FieldBatch(rows: 1, columns: v, storage: x))[0] }
            #expect(maxRelativeDeviation(Array(d.gradient.storage[(b * v)..<((b + 1) * v)]), FiniteDifference.gradient(f, at: phi)) < 1e-8)
            #expect(isClose(d.laplacian[b], FiniteDifference.laplacian(f, at: phi), relative: 1e-6))
            let numeric = FiniteDifference.gradient({ theta in
                var shifted = m
                shifted.parameters = theta
                return shifted.logPsi(FieldBatch(rows: 1, columns: v, storage: phi))[0]
            }, at: m.parameters)
            #expect(maxRelativeDeviation(Array(o.storage[(b * o.columns)..<((b + 1) * o.columns)]), numeric) < 1e-8)
        }
    }

    /// The optimisation step's one call for both (`derivativesAndJacobian`: one
    /// pass of the one-layer kernel, the symmetrisations combined in one place)
    /// against the two computed apart.
    @Test(arguments: [
        ([7], NetworkSymmetry.none, [6]), ([4, 3], .even, [5]), ([6], .superposition, [8]), ([5], .even, [4, 3]),
        ([6], .superposition, [4, 3]),
    ])
    func derivativesAndJacobianAgreeWithSeparateCalls(extent: [Int], symmetry: NetworkSymmetry, hidden: [Int]) {
        var m = model(extent, kernel: 3, symmetry: symmetry, hidden: hidden, activation: .tanh)
        m.chunkSize = 2  // several chunks
        let fields = testFields(samples: 5, sites: m.lattice.volume, seed: 9, scale: 1.1)
        let (d, o) = m.derivativesAndJacobian(fields)
        let separate = m.logPsiDerivatives(fields), jacobian = m.parameterJacobian(fields).dense
        #expect(maxRelativeDeviation(d.value, separate.value) < 1e-14)
        #expect(maxRelativeDeviation(d.laplacian, separate.laplacian) < 1e-13)
        #expect(maxRelativeDeviation(d.gradient.storage, separate.gradient.storage) < 1e-13)
        #expect(o.columns == m.parameterCount && maxRelativeDeviation(o.dense.storage, jacobian.storage) < 1e-13)
    }

    /// The one-pass kernel against the cell evaluated on every patch, built here
    /// from the lattice: value, input gradient, Laplacian and parameter Jacobian.
    @Test(arguments: [([70], 3, [11], Activation.tanh), ([5, 4], 3, [9], .softplus), ([3, 2, 2], 2, [16], .silu)])
    func onePassAgreesWithTheCellOnEveryPatch(extent: [Int], kernel: Int, hidden: [Int], activation: Activation) {
        let lattice = Lattice(extent: extent), v = lattice.volume
        let net = TranslationInvariantNetwork(lattice: lattice, kernelSize: kernel, hidden: hidden, activation: activation)
        var rng = RandomSource(seed: 41)
        let p = net.cell.initialParameters(random: &rng, outputScale: 1)
        let fields = testFields(samples: 3, sites: v, seed: 8, scale: 1.3)
        let box = Lattice(extent: extent.map { min(kernel, $0) })
        let k = box.volume
        let sites = (0..<v).map { x in
            (0..<k).map { o in lattice.site(at: zip(lattice.coordinates(of: x), box.coordinates(of: o)).map { $0 + $1 }) }
        }
        let d = net.derivatives(fields, parameters: p)
        let o = net.parameterJacobian(fields, parameters: p).dense
        // The activation without derivatives is another formula for SiLU (rounding apart).
        #expect(maxRelativeDeviation(net.value(fields, parameters: p), d.value) < 1e-14)
        for b in 0..<fields.rows {
            let patches = FieldBatch(rows: v, columns: k, storage: sites.flatMap { $0.map { fields[b, $0] } })
            let cell = net.cell.derivatives(patches, parameters: p)
            let cellJacobian = net.cell.parameterJacobian(patches, parameters: p).dense
            var gradient = [Double](repeating: 0, count: v)
            for x in 0..<v { for q in 0..<k { gradient[sites[x][q]] += cell.gradient[x, q] } }
            let jacobian = (0..<o.columns).map { c in (0..<v).reduce(0) { $0 + cellJacobian[$1, c] } }
            #expect(isClose(d.value[b], cell.value.reduce(0, +), relative: 1e-13))
            #expect(isClose(d.laplacian[b], cell.laplacian.reduce(0, +), relative: 1e-12))
            #expect(maxRelativeDeviation(Array(d.gradient.storage[(b * v)..<((b + 1) * v)]), gradient) < 1e-12)
            #expect(maxRelativeDeviation(Array(o.storage[(b * o.columns)..<((b + 1) * o.columns)]), jacobian) < 1e-12)
        }
    }
}
