import Foundation
import FourierTransform
import Testing
import TestSupport

/// The transform against analytic cases: a plane wave, a direct DFT, the round
/// trip and Parseval (STYLE §3).
@Suite struct RealFFTTests {
    static let shapes: [[Int]] = [[1], [2], [7], [8], [4, 3], [3, 4, 5], [2, 1, 6]]

    /// Row-major coordinates of index `i` for `extent`.
    func coordinates(_ i: Int, _ extent: [Int]) -> [Int] {
        var rest = i
        var c = [Int](repeating: 0, count: extent.count)
        for mu in stride(from: extent.count - 1, through: 0, by: -1) {
            c[mu] = rest % extent[mu]
            rest /= extent[mu]
        }
        return c
    }

    func phase(_ n: [Int], _ x: [Int], _ extent: [Int]) -> Double {
        (0..<extent.count).reduce(0) { $0 + 2 * Double.pi * Double(n[$1] * x[$1]) / Double(extent[$1]) }
    }

    @Test(arguments: shapes)
    func forwardMatchesDirectDFT(extent: [Int]) {
        let fft = RealFFT(extent: extent)
        let v = fft.volume
        let phi = testFields(samples: 1, sites: v, seed: 11).storage
        var out = [Double](repeating: 0, count: 2 * fft.spectrum.count)
        fft.forward(phi, &out)
        // Every full-spectrum momentum, through elementOfMomentum (conjugating mirrors).
        for k in 0..<v {
            let n = coordinates(k, extent)
            var re = 0.0, im = 0.0
            for x in 0..<v {
                let a = phase(n, coordinates(x, extent), extent)
                re += cos(a) * phi[x]
                im -= sin(a) * phi[x]
            }
            let h = fft.spectrum.elementOfMomentum[k]
            let mirrored = fft.spectrum.fullIndex[h] != k
            #expect(abs(out[2 * h] - re) < 1e-12 * Double(v))
            #expect(abs((mirrored ? -out[2 * h + 1] : out[2 * h + 1]) - im) < 1e-12 * Double(v))
        }
    }

    @Test(arguments: shapes)
    func planeWaveIsVolumeTimesDelta(extent: [Int]) {
        let fft = RealFFT(extent: extent)
        let v = fft.volume
        // cos(q.x) has phitilde_k = V/2 (delta_{k,q} + delta_{k,-q}).
        for q in 0..<v {
            let nq = coordinates(q, extent)
            let phi = (0..<v).map { cos(phase(nq, coordinates($0, extent), extent)) }
            var out = [Double](repeating: 0, count: 2 * fft.spectrum.count)
            fft.forward(phi, &out)
            for h in 0..<fft.spectrum.count {
                let k = fft.spectrum.fullIndex[h]
                let nk = coordinates(k, extent)
                let isQ = nk == nq
                let isMinusQ = zip(nk, zip(nq, extent)).allSatisfy { a, b in a == (b.1 - b.0) % b.1 }
                let expected = Double(v) / 2 * ((isQ ? 1 : 0) + (isMinusQ ? 1 : 0))
                #expect(abs(out[2 * h] - expected) < 1e-10 * Double(v))
                #expect(abs(out[2 * h + 1]) < 1e-10 * Double(v))
            }
        }
    }

    @Test(arguments: shapes)
    func roundTripAndParseval(extent: [Int]) {
        let fft = RealFFT(extent: extent)
        let v = fft.volume
        let phi = testFields(samples: 1, sites: v, seed: 5).storage
        var spectrum = [Double](repeating: 0, count: 2 * fft.spectrum.count)
        fft.forward(phi, &spectrum)
        // Parseval: sum_x phi_x^2 = (1/V) sum_k |phitilde_k|^2.
        var power = 0.0
        for h in 0..<fft.spectrum.count {
            power += fft.spectrum.multiplicity[h] * (spectrum[2 * h] * spectrum[2 * h] + spectrum[2 * h + 1] * spectrum[2 * h + 1])
        }
        let norm = phi.reduce(0) { $0 + $1 * $1 }
        #expect(isClose(power / Double(v), norm, relative: 1e-13))
        // backward(forward(phi)) = V phi.
        var back = [Double](repeating: 0, count: v)
        fft.backward(destroying: &spectrum, &back)
        #expect(maxRelativeDeviation(back.map { $0 / Double(v) }, phi) < 1e-13)
    }

    @Test func multiplicitiesCountEveryMomentumOnce() {
        for extent in Self.shapes {
            let s = HalfSpectrum(extent: extent)
            #expect(Int(s.multiplicity.reduce(0, +)) == extent.reduce(1, *))
            // elementOfMomentum points at k itself or at its mirror.
            for k in 0..<extent.reduce(1, *) {
                let h = s.elementOfMomentum[k]
                let held = coordinates(s.fullIndex[h], extent)
                let wanted = coordinates(k, extent)
                let mirror = zip(wanted, extent).map { ($1 - $0) % $1 }
                #expect(held == wanted || held == mirror)
            }
        }
    }
}
