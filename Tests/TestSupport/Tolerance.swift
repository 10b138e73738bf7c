/// `|a - b| <= tolerance * max(|a|, |b|, 1)`: a relative check that stays
/// meaningful for values near zero. The tolerance is named at the call site.
public func isClose(_ a: Double, _ b: Double, relative tolerance: Double) -> Bool {
    abs(a - b) <= tolerance * max(abs(a), abs(b), 1)
}

/// The largest `|a_i - b_i| / max(|a_i|, |b_i|, 1)`.
public func maxRelativeDeviation(_ a: [Double], _ b: [Double]) -> Double {
    precondition(a.count == b.count)
    return zip(a, b).map { abs($0 - $1) / max(abs($0), abs($1), 1) }.max() ?? 0
}

/// Root mean square of `(value - exact) / error` over paired arrays: for honest
/// Gaussian errors it is 1 within about `1/sqrt(2 n)`.
public func normalizedRMS(values: [Double], errors: [Double], exact: [Double]) -> Double {
    precondition(values.count == errors.count && values.count == exact.count && !values.isEmpty)
    let sum = values.indices.reduce(0.0) { acc, i in
        let z = (values[i] - exact[i]) / errors[i]
        return acc + z * z
    }
    return (sum / Double(values.count)).squareRoot()
}
