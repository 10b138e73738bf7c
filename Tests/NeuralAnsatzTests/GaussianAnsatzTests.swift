import Foundation
import FourierTransform
import Lattice
import LinearAlgebra
import NeuralAnsatz
import Testing
import TestSupport

@Suite struct GaussianAnsatzTests {
    /// A Gaussian with distinct, non-trivial frequencies per orbit.
    func model(_ extent: [Int]) -> GaussianAnsatz {
        let lattice = Lattice(extent: extent)
        var m = GaussianAnsatz(lattice: lattice, fft: RealFFT(extent: extent))
        m.parameters = m.parameters.indices.map { 0.3 * sin(1.7 * Double($0) + 0.4) }
        return m
    }

    func single(_ phi: [Double]) -> FieldBatch { FieldBatch(rows: 1, columns: phi.count, storage: phi) }

    /// The readable reference: `-1/2 phi^T A phi` with
    /// `A_xy = (1/V) sum_k a_k cos(k.(x - y))` summed directly.
    @Test(arguments: testExtents)
    func logPsiMatchesTheRealSpaceQuadraticForm(extent: [Int]) {
        let m = model(extent)
        let lattice = m.lattice, v = lattice.volume
        let a = m.frequencies
        let phi = testFields(samples: 1, sites: v, seed: 4).storage
        var quadratic = 0.0
        for x in 0..<v {
            for y in 0..<v {
                var axy = 0.0
                let cx = lattice.coordinates(of: x), cy = lattice.coordinates(of: y)
                for k in 0..<v {
                    let kv = lattice.momentum(k)
                    axy += a[k] * cos((0..<lattice.dimension).reduce(0) { $0 + kv[$1] * Double(cx[$1] - cy[$1]) })
                }
                quadratic += phi[x] * axy / Double(v) * phi[y]
            }
        }
        #expect(isClose(m.logPsi(single(phi))[0], -0.5 * quadratic, relative: 1e-12))
    }

    @Test(arguments: testExtents)
    func derivativesMatchFiniteDifferences(extent: [Int]) {
        let m = model(extent)
        let v = m.lattice.volume
        let fields = testFields(samples: 3, sites: v, seed: 8)
        let d = m.logPsiDerivatives(fields)
        #expect(maxRelativeDeviation(d.value, m.logPsi(fields)) < 1e-14)
        for b in 0..<3 {
            let phi = Array(fields.storage[(b * v)..<((b + 1) * v)])
            let f = { (x: [Double]) in m.logPsi(self.single(x))[0] }
            // log psi is quadratic: central differences are exact up to rounding
            // (eps |log psi| / h ~ 1e-12 for h = 1e-4; ~1e-10 for the second, h = 1e-3).
            #expect(maxRelativeDeviation(Array(d.gradient.storage[(b * v)..<((b + 1) * v)]), FiniteDifference.gradient(f, at: phi)) < 1e-9)
            #expect(isClose(d.laplacian[b], FiniteDifference.laplacian(f, at: phi), relative: 1e-7))
        }
    }

    @Test(arguments: testExtents)
    func parameterGradientMatchesFiniteDifferences(extent: [Int]) {
        let m = model(extent)
        let v = m.lattice.volume
        let fields = testFields(samples: 2, sites: v, seed: 9)
        let o = m.parameterJacobian(fields).dense
        #expect(o.rows == 2 && o.columns == m.parameterCount)
        for b in 0..<2 {
            let phi = single(Array(fields.storage[(b * v)..<((b + 1) * v)]))
            let numeric = FiniteDifference.gradient({ theta in
                var shifted = m
                shifted.parameters = theta
                return shifted.logPsi(phi)[0]
            }, at: m.parameters, step: 1e-5)
            // Truncation h^2 |log psi| / 6 with exp(theta) derivatives ~ 1e-10.
            #expect(maxRelativeDeviation(Array(o.storage[(b * m.parameterCount)..<((b + 1) * m.parameterCount)]), numeric) < 1e-8)
        }
    }

    @Test func orbitsPairMomentaWithTheirMirrors() {
        let m = model([4, 3])
        let lattice = m.lattice
        for k in 0..<lattice.volume {
            let mirror = lattice.site(at: lattice.coordinates(of: k).map { -$0 })
            #expect(m.orbitOfMomentum[k] == m.orbitOfMomentum[mirror])
        }
        // 12 momenta: k = 0 and (2, 0) are their own mirrors, the other 10 pair up.
        #expect(m.parameterCount == 7)
    }
}

@Suite struct TailedGaussianTests {
    @Test(arguments: [[1], [4], [3, 2]])
    func derivativesMatchFiniteDifferences(extent: [Int]) {
        let lattice = Lattice(extent: extent)
        var model = TailedGaussian(gaussian: GaussianAnsatz(lattice: lattice, fft: RealFFT(extent: extent)), coupling: 24)
        model.parameters = model.parameters.indices.map { 0.1 * Double($0 % 4) - 0.2 }
        let v = lattice.volume
        let fields = testFields(samples: 3, sites: v, seed: 12, scale: 2)
        let d = model.logPsiDerivatives(fields)
        let o = model.parameterJacobian(fields).dense
        for b in 0..<3 {
            let phi = Array(fields.storage[(b * v)..<((b + 1) * v)])
            let f = { (x: [Double]) in model.logPsi(FieldBatch(rows: 1, columns: v, storage: x))[0] }
            #expect(maxRelativeDeviation(Array(d.gradient.storage[(b * v)..<((b + 1) * v)]), FiniteDifference.gradient(f, at: phi)) < 1e-8)
            #expect(isClose(d.laplacian[b], FiniteDifference.laplacian(f, at: phi), relative: 1e-6))
            let numeric = FiniteDifference.gradient({ theta in
                var m = model
                m.parameters = theta
                return m.logPsi(FieldBatch(rows: 1, columns: v, storage: phi))[0]
            }, at: model.parameters, step: 1e-5)
            #expect(maxRelativeDeviation(Array(o.storage[(b * o.columns)..<((b + 1) * o.columns)]), numeric) < 1e-8)
        }
    }

    /// With the WKB strength c = sqrt(2g)/3 the kinetic term cancels g x^4 at
    /// large x: what is left grows like x^3 (the cross term 3 a c x^3 with the
    /// Gaussian, a = 1 here), so relative to x^4 it falls like 1/x.
    @Test func tailCancelsTheQuarticGrowthOfTheLocalEnergy() {
        let lattice = Lattice(extent: [1])
        let model = TailedGaussian(gaussian: GaussianAnsatz(lattice: lattice, fft: RealFFT(extent: [1])), coupling: 24)
        let xs: [Double] = [10, 20, 40]
        let d = model.logPsiDerivatives(FieldBatch(rows: 3, columns: 1, storage: xs))
        for (i, x) in xs.enumerated() {
            let kinetic = -0.5 * (d.laplacian[i] + d.gradient[i, 0] * d.gradient[i, 0])
            let quartic = pow(x, 4)  // lambda/24 x^4 with lambda = 24
            let c = (24.0 / 12).squareRoot() / 3
            #expect(abs(kinetic + quartic) < 1.2 * 3 * c * pow(x, 3), "x = \(x): kinetic \(kinetic)")
        }
    }
}
