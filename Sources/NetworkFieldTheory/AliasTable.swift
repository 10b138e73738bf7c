import Statistics

/// Draws an index i with probability p_i in O(1) (Walker's alias method, in
/// Vose's numerically stable construction: M. D. Vose, IEEE TSE 17 (1991) 972).
struct AliasTable: Sendable {
    private let threshold: [Double]
    private let alias: [Int]

    /// `weights` are non-negative with a positive sum; they need not be normalised.
    init(weights: [Double]) {
        let n = weights.count, total = weights.reduce(0, +)
        var scaled = weights.map { $0 * Double(n) / total }
        var threshold = [Double](repeating: 1, count: n), alias = Array(0..<n)
        var small = scaled.indices.filter { scaled[$0] < 1 }, large = scaled.indices.filter { scaled[$0] >= 1 }
        while let s = small.popLast(), let l = large.popLast() {
            threshold[s] = scaled[s]
            alias[s] = l
            scaled[l] -= 1 - scaled[s]
            if scaled[l] < 1 { small.append(l) } else { large.append(l) }
        }
        // What is left has weight 1 up to rounding.
        self.threshold = threshold
        self.alias = alias
    }

    func draw(_ random: inout RandomSource) -> Int {
        let u = random.uniform() * Double(threshold.count)
        let i = min(Int(u), threshold.count - 1)
        return u - Double(i) < threshold[i] ? i : alias[i]
    }
}
