import Foundation
import FourierTransform
import Lattice
import LinearAlgebra

/// The translation-invariant Gaussian wavefunction
///
///     log psi(phi) = -1/(2V) sum_k a_k |phitilde_k|^2,    a_k = exp(theta_[k]) > 0,
///
/// with one parameter per orbit `[k] = {k, -k}` (a_k and a_{-k} multiply the same
/// `|phitilde_k|^2`, so separate parameters would make the SR matrix singular).
/// The family contains the free ground state, `a_k = omega_k` (docs/CONVENTIONS.md §1). In real
/// space `log psi = -1/2 phi^T A phi` with the circulant `A = F^dagger diag(a) F / V`, so
///
///     d log psi / d phi_x = -(A phi)_x = -(1/V) sum_k exp(i k.x) a_k phitilde_k
///     sum_x d^2 log psi / d phi_x^2 = -tr A = -sum_k a_k
///     d log psi / d theta_o = -(1/(2V)) a_o sum_{k in o} |phitilde_k|^2
public struct GaussianAnsatz: WavefunctionModel {
    public let lattice: Lattice
    /// `theta_o = log a_o`, one per orbit.
    public var parameters: [Double]

    private let fft: RealFFT
    /// Orbit of each half-spectrum element.
    private let orbitOfHalf: [Int]
    /// Orbit of each full-spectrum momentum (row-major).
    public let orbitOfMomentum: [Int]
    /// Number of momenta in each orbit (1 or 2).
    private let orbitSize: [Double]

    /// A Gaussian with every `a_k` equal to `initialFrequency`.
    ///
    /// - Parameters:
    ///   - fft: a plan pair for `lattice.extent`, shared with other users of the same shape.
    public init(lattice: Lattice, fft: RealFFT, initialFrequency: Double = 1) {
        precondition(fft.extent == lattice.extent, "FFT plan and lattice differ in shape")
        precondition(initialFrequency > 0)
        self.lattice = lattice
        self.fft = fft
        // Label each {k, -k} orbit by its first momentum in row-major order.
        var orbitOfMomentum = [Int](repeating: -1, count: lattice.volume)
        var orbitSize: [Double] = []
        for i in 0..<lattice.volume where orbitOfMomentum[i] < 0 {
            let mirror = lattice.site(at: lattice.coordinates(of: i).map { -$0 })
            orbitOfMomentum[i] = orbitSize.count
            orbitOfMomentum[mirror] = orbitSize.count
            orbitSize.append(mirror == i ? 1 : 2)
        }
        self.orbitOfMomentum = orbitOfMomentum
        self.orbitSize = orbitSize
        orbitOfHalf = fft.spectrum.fullIndex.map { orbitOfMomentum[$0] }
        parameters = [Double](repeating: log(initialFrequency), count: orbitSize.count)
    }

    /// `a_k` for every momentum, row-major.
    public var frequencies: [Double] { orbitOfMomentum.map { exp(parameters[$0]) } }

    public func logPsi(_ fields: FieldBatch) -> [Double] {
        let a = parameters.map(exp)
        var result = [Double](repeating: 0, count: fields.sampleCount)
        forEachSpectrum(fields) { b, power, _ in
            var sum = 0.0
            for h in 0..<orbitOfHalf.count { sum += fft.spectrum.multiplicity[h] * a[orbitOfHalf[h]] * power[h] }
            result[b] = -sum / (2 * Double(lattice.volume))
        }
        return result
    }

    public func logPsiDerivatives(_ fields: FieldBatch) -> LogPsiDerivatives {
        let a = parameters.map(exp)
        let v = lattice.volume
        let trace = zip(a, orbitSize).reduce(0) { $0 + $1.0 * $1.1 }
        var value = [Double](repeating: 0, count: fields.sampleCount)
        var gradient = FieldBatch(rows: fields.sampleCount, columns: v)
        forEachSpectrum(fields) { b, power, spectrum in
            var sum = 0.0
            for h in 0..<orbitOfHalf.count {
                let ah = a[orbitOfHalf[h]]
                sum += fft.spectrum.multiplicity[h] * ah * power[h]
                spectrum[2 * h] *= -ah / Double(v)
                spectrum[2 * h + 1] *= -ah / Double(v)
            }
            value[b] = -sum / (2 * Double(v))
            gradient.storage.withUnsafeMutableBufferPointer { g in
                fft.backward(destroying: spectrum.baseAddress!, g.baseAddress! + b * v)
            }
        }
        return LogPsiDerivatives(
            value: value, gradient: gradient,
            laplacian: [Double](repeating: -trace, count: fields.sampleCount))
    }

    public func parameterJacobian(_ fields: FieldBatch) -> ParameterJacobian {
        let a = parameters.map(exp)
        let p = parameters.count
        var o = Matrix(rows: fields.sampleCount, columns: p)
        let scale = -1 / (2 * Double(lattice.volume))
        o.storage.withUnsafeMutableBufferPointer { out in
            forEachSpectrum(fields) { b, power, _ in
                let row = out.baseAddress! + b * p
                for h in 0..<orbitOfHalf.count {
                    row[orbitOfHalf[h]] += fft.spectrum.multiplicity[h] * power[h]
                }
                for q in 0..<p { row[q] *= scale * a[q] }
            }
        }
        return ParameterJacobian(dense: o)
    }

    /// Calls `body(b, |phitilde_h|^2, phitilde_h)` for each field `b` of the batch,
    /// with the half spectrum interleaved (re, im); `body` may overwrite the spectrum.
    private func forEachSpectrum(
        _ fields: FieldBatch,
        _ body: (Int, UnsafeMutableBufferPointer<Double>, UnsafeMutableBufferPointer<Double>) -> Void
    ) {
        precondition(fields.siteCount == lattice.volume, "field size does not match the lattice")
        let half = fft.spectrum.count
        var spectrum = [Double](repeating: 0, count: 2 * half)
        var power = [Double](repeating: 0, count: half)
        fields.storage.withUnsafeBufferPointer { all in
            spectrum.withUnsafeMutableBufferPointer { s in
                power.withUnsafeMutableBufferPointer { p in
                    for b in 0..<fields.sampleCount {
                        fft.forward(all.baseAddress! + b * lattice.volume, s.baseAddress!)
                        for h in 0..<half { p[h] = s[2 * h] * s[2 * h] + s[2 * h + 1] * s[2 * h + 1] }
                        body(b, p, s)
                    }
                }
            }
        }
    }
}
