/// A translation-invariant linear operator on a periodic lattice, `A = F^-1 diag(a) F`
/// (a circulant matrix), given by its eigenvalues `a_k` per momentum; `a_k = a_{-k}`
/// real, so `A` is real and symmetric. Applied with one `RealFFT` round trip,
/// O(V log V) instead of the O(V^2) of the dense matrix.
///
/// Used for the Fourier-accelerated HMC mass matrix and for Gaussian trial states;
/// momentum conventions are `RealFFT`'s (docs/CONVENTIONS.md §1).
public struct CirculantOperator: Sendable {
    public let fft: RealFFT
    /// `a_k / V` per half-spectrum element (the 1/V of the unnormalised round trip folded in).
    private let factor: [Double]

    /// - Parameter eigenvalues: `a_k` for every momentum, row-major (`fft.volume` values).
    public init(fft: RealFFT, eigenvalues: [Double]) {
        precondition(eigenvalues.count == fft.volume, "one eigenvalue per momentum")
        self.fft = fft
        let v = Double(fft.volume)
        factor = fft.spectrum.fullIndex.map { eigenvalues[$0] / v }
    }

    /// Doubles of scratch space `apply` needs.
    public var scratchCount: Int { 2 * fft.spectrum.count }

    /// `output = A input` (they may alias); `spectrum` is scratch of `scratchCount` doubles.
    ///
    /// - Complexity: O(V log V).
    public func apply(_ input: UnsafePointer<Double>, into output: UnsafeMutablePointer<Double>, spectrum: UnsafeMutablePointer<Double>) {
        fft.forward(input, spectrum)
        factor.withUnsafeBufferPointer { f in
            for h in 0..<f.count {
                spectrum[2 * h] *= f[h]
                spectrum[2 * h + 1] *= f[h]
            }
        }
        fft.backward(destroying: spectrum, output)
    }
}
