import FourierTransform
import LinearAlgebra
import Parallelism

/// Sums over the networks of one ensemble, from which its correlators, their
/// errors and the errors of the errors follow (`EnsembleCorrelators`). Networks
/// are independent, so every error is the i.i.d. one; the sums of the k-th
/// powers (k <= 4) give the fourth central moment and with it the error of the
/// error, which is what a heavy-tailed estimator needs reported. The connected
/// four-point function is a nonlinear combination of means: its error is a
/// jackknife over `blocks` contiguous blocks of batches.
///
/// Sums are added batch by batch in batch order, so they do not depend on how
/// batches were spread over threads.
public struct EnsembleMoments: Codable, Sendable, Equatable {
    /// P, the inputs.
    public let points: Int
    /// The four-point index sets (an index P stands for M = sum_p phi_p).
    public let quadruples: [[Int]]
    public private(set) var networks = 0
    /// sum_n (phi_p phi_q)^k at [(k - 1) P^2 + p P + q], p >= q (the lower triangle).
    public private(set) var pairPowers: [Double]
    /// Per block: networks, and per quadruple the sums of phi_a phi_b phi_c phi_d and
    /// of the six pair products (ab, cd, ac, bd, ad, bc).
    public private(set) var blockNetworks: [Int]
    public private(set) var blockSums: [[Double]]
    /// For a periodic lattice: sum_n g^k at [(k - 1) H + h], g = |phitilde_h|^2 / V over
    /// the half spectrum, and sum_n G_r^k at [(k - 1) V + r], G_r = (1/V) sum_x phi_x phi_{x+r}.
    public private(set) var momentumPowers: [Double]?
    public private(set) var positionPowers: [Double]?

    static let quadrupleSums = 7

    public init(points: Int, quadruples: [[Int]], blocks: Int, spectrum: HalfSpectrum?) {
        self.points = points
        self.quadruples = quadruples
        pairPowers = [Double](repeating: 0, count: 4 * points * points)
        blockNetworks = [Int](repeating: 0, count: blocks)
        blockSums = [[Double]](repeating: [Double](repeating: 0, count: quadruples.count * Self.quadrupleSums), count: blocks)
        if let spectrum {
            momentumPowers = [Double](repeating: 0, count: 4 * spectrum.count)
            positionPowers = [Double](repeating: 0, count: 4 * points)
        }
    }

    /// Adds a batch of `fields` (networks x P, row-major) to block `block`.
    ///
    /// - Complexity: O(B P^2) in four BLAS dsyrk calls, plus O(B P log P) for the
    ///   momentum sums of a lattice.
    public mutating func add(_ fields: Matrix, block: Int, fft: RealFFT?) {
        let b = fields.rows, p = points
        guard b > 0 else { return }
        // Powers 1 ... 4 of the fields: sum_n (phi_p phi_q)^k = (F^k)^T F^k.
        var power = fields
        var gram = Matrix(rows: p, columns: p)
        for k in 0..<4 {
            if k > 0 { for i in power.storage.indices { power.storage[i] *= fields.storage[i] } }
            syrkLower(.none, power, into: &gram)
            let base = k * p * p
            for i in 0..<(p * p) { pairPowers[base + i] += gram.storage[i] }
        }
        for n in 0..<b {
            let row = n * p
            let magnetization = (0..<p).reduce(0.0) { $0 + fields.storage[row + $1] }
            let value: (Int) -> Double = { $0 == p ? magnetization : fields.storage[row + $0] }
            for (q, set) in quadruples.enumerated() {
                let (a, bb, c, d) = (value(set[0]), value(set[1]), value(set[2]), value(set[3]))
                let base = q * Self.quadrupleSums
                blockSums[block][base] += a * bb * c * d
                blockSums[block][base + 1] += a * bb
                blockSums[block][base + 2] += c * d
                blockSums[block][base + 3] += a * c
                blockSums[block][base + 4] += bb * d
                blockSums[block][base + 5] += a * d
                blockSums[block][base + 6] += bb * c
            }
        }
        blockNetworks[block] += b
        networks += b
        if let fft, momentumPowers != nil { addMomenta(fields, fft) }
    }

    private mutating func addMomenta(_ fields: Matrix, _ fft: RealFFT) {
        let p = points, h = fft.spectrum.count, v = Double(p)
        var spectrum = [Double](repeating: 0, count: 2 * h)
        var position = [Double](repeating: 0, count: p)
        var momentum = momentumPowers ?? [], separation = positionPowers ?? []
        fields.storage.withUnsafeBufferPointer { f in
            for n in 0..<fields.rows {
                fft.forward(f.baseAddress! + n * p, &spectrum)
                for i in 0..<h {
                    let g = (spectrum[2 * i] * spectrum[2 * i] + spectrum[2 * i + 1] * spectrum[2 * i + 1]) / v
                    Self.addPowers(of: g, to: &momentum, at: i, stride: h)
                    spectrum[2 * i] = g / v
                    spectrum[2 * i + 1] = 0
                }
                // G_r = (1/V^2) sum_k e^{ikr} |phitilde_k|^2.
                fft.backward(destroying: &spectrum, &position)
                for r in 0..<p { Self.addPowers(of: position[r], to: &separation, at: r, stride: p) }
            }
        }
        momentumPowers = momentum
        positionPowers = separation
    }

    /// sums[k stride + index] += x^(k+1), k = 0 ..< 4.
    private static func addPowers(of x: Double, to sums: inout [Double], at index: Int, stride: Int) {
        var power = x
        for k in 0..<4 {
            sums[k * stride + index] += power
            power *= x
        }
    }

    /// Adds `other`'s sums (the same inputs and blocks) to these.
    public mutating func merge(_ other: EnsembleMoments) {
        networks += other.networks
        for i in pairPowers.indices { pairPowers[i] += other.pairPowers[i] }
        for block in blockSums.indices where other.blockNetworks[block] > 0 {
            blockNetworks[block] += other.blockNetworks[block]
            for i in blockSums[block].indices { blockSums[block][i] += other.blockSums[block][i] }
        }
        if let theirs = other.momentumPowers { for i in theirs.indices { momentumPowers![i] += theirs[i] } }
        if let theirs = other.positionPowers { for i in theirs.indices { positionPowers![i] += theirs[i] } }
    }

    /// The mean of sum_n (phi_p phi_q)^k / M for k = 1...4 (p and q in any order).
    func pairMoments(_ p: Int, _ q: Int) -> [Double] {
        let (i, j) = p >= q ? (p, q) : (q, p)
        return (0..<4).map { pairPowers[$0 * points * points + i * points + j] / Double(networks) }
    }
}

extension EnsembleMoments: RankPackable {
    public func pack(into words: inout PackedWords) {
        points.pack(into: &words)
        quadruples.pack(into: &words)
        networks.pack(into: &words)
        pairPowers.pack(into: &words)
        blockNetworks.pack(into: &words)
        blockSums.pack(into: &words)
        momentumPowers.pack(into: &words)
        positionPowers.pack(into: &words)
    }

    public init(unpacking words: inout PackedWords.Reader) {
        points = Int(unpacking: &words)
        quadruples = [[Int]](unpacking: &words)
        networks = Int(unpacking: &words)
        pairPowers = [Double](unpacking: &words)
        blockNetworks = [Int](unpacking: &words)
        blockSums = [[Double]](unpacking: &words)
        momentumPowers = [Double]?(unpacking: &words)
        positionPowers = [Double]?(unpacking: &words)
    }
}
