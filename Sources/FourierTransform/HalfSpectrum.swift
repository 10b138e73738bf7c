/// The storage layout of a real-to-complex transform of a row-major array with
/// extents `L_1 ... L_d`: the last extent is cut to `L_d/2 + 1`, because for real
/// input `phitilde_{-k} = conj(phitilde_k)` and the other half is redundant.
///
/// Element `h` of the half spectrum (row-major over `L_1 ... L_{d-1}, L_d/2+1`)
/// stands for the full-spectrum momentum `fullIndex[h]` (row-major over
/// `L_1 ... L_d`) and for its mirror `-k`; `multiplicity[h]` is 1 when `k = -k`
/// modulo the lattice along the last axis (index 0, or `L_d/2` for even `L_d`)
/// and 2 otherwise, so that `sum_k f(|phitilde_k|) = sum_h multiplicity[h] f(|phitilde_h|)`.
public struct HalfSpectrum: Sendable, Equatable {
    /// Extents of the real array, `L_1 ... L_d`.
    public let extent: [Int]
    /// Number of complex elements, `L_1 ... L_{d-1} (L_d/2 + 1)`.
    public let count: Int
    /// Row-major full-spectrum index of the momentum each element holds.
    public let fullIndex: [Int]
    /// 1 for self-conjugate columns along the last axis, 2 otherwise.
    public let multiplicity: [Double]
    /// For each full-spectrum momentum (row-major), the element holding it or,
    /// when it lies in the omitted half, its mirror `-k` (whose value is the
    /// complex conjugate).
    public let elementOfMomentum: [Int]

    public init(extent: [Int]) {
        precondition(!extent.isEmpty && extent.allSatisfy { $0 >= 1 }, "extents must be >= 1")
        self.extent = extent
        let last = extent[extent.count - 1]
        let halfLast = last / 2 + 1
        let outer = extent.dropLast().reduce(1, *)
        count = outer * halfLast
        var fullIndex = [Int](repeating: 0, count: count)
        var multiplicity = [Double](repeating: 2, count: count)
        for o in 0..<outer {
            for j in 0..<halfLast {
                let h = o * halfLast + j
                fullIndex[h] = o * last + j
                if j == 0 || 2 * j == last { multiplicity[h] = 1 }
            }
        }
        self.fullIndex = fullIndex
        self.multiplicity = multiplicity
        // Row-major coordinates of full index i: the last is i % last, the rest
        // form `outerIndex`; the mirror of (outer, j) is (-outer, last - j).
        let outerExtent = Array(extent.dropLast())
        elementOfMomentum = (0..<(outer * last)).map { i in
            let j = i % last
            if j < halfLast { return (i / last) * halfLast + j }
            var rest = i / last, mirrorOuter = 0, scale = 1
            for mu in stride(from: outerExtent.count - 1, through: 0, by: -1) {
                let l = outerExtent[mu]
                mirrorOuter += ((l - rest % l) % l) * scale
                rest /= l
                scale *= l
            }
            return mirrorOuter * halfLast + (last - j)
        }
    }
}
