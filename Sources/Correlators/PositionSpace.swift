import FourierTransform
import Lattice

/// `G(r) = (1/V) sum_k exp(i k.r) G(k)` (docs/CONVENTIONS.md §1) for an even, real `G(k)` given
/// for every momentum (row-major); returns `G(r)` for every separation (row-major).
///
/// - Complexity: O(V log V).
public func positionSpace(_ momentumSpace: [Double], fft: RealFFT) -> [Double] {
    precondition(momentumSpace.count == fft.volume, "one value per momentum")
    var spectrum = [Double](repeating: 0, count: 2 * fft.spectrum.count)
    for h in 0..<fft.spectrum.count { spectrum[2 * h] = momentumSpace[fft.spectrum.fullIndex[h]] }
    var result = [Double](repeating: 0, count: fft.volume)
    spectrum.withUnsafeMutableBufferPointer { s in
        result.withUnsafeMutableBufferPointer { r in fft.backward(destroying: s.baseAddress!, r.baseAddress!) }
    }
    return result.map { $0 / Double(fft.volume) }
}
