import Foundation

/// Autocorrelation-aware error analysis of Monte Carlo data by the Gamma method
/// (U. Wolff, "Monte Carlo errors with less errors", Comput. Phys. Commun. 156
/// (2004) 143, hep-lat/0306017), with independent replicas (Markov chains).
///
/// For each observable `a`, with `N = R T` samples over `R` chains of length `T`:
///
///     Gamma(t) = 1/(R (T - t)) sum_r sum_{i < T-t} (a_{r,i} - abar)(a_{r,i+t} - abar)
///     tau_int(W) = 1/2 + sum_{t=1}^{W} Gamma(t) / Gamma(0)
///
/// The window `W` is the first at which `exp(-W/tau) - tau / sqrt(W N)` turns
/// negative, with `tau = S / ln((2 tau_int + 1)/(2 tau_int - 1))` and `S = 1.5`
/// (Wolff eq. 52). `Gamma` is corrected for the bias of the estimated mean
/// (Wolff eq. 49), and `error^2 = 2 tau_int Gamma(0) / N`.
public struct GammaMethod: Sendable {
    /// Wolff's `S`: how many exponential autocorrelation times the window tries to cover.
    public var windowFactor: Double

    public init(windowFactor: Double = 1.5) {
        self.windowFactor = windowFactor
    }

    /// One `Estimate` per observable of `series`.
    ///
    /// - Complexity: O(N M W_max) for `M` observables and the largest window `W_max`.
    public func estimates(_ series: ReplicaSeries) -> [Estimate] {
        let r = series.chains, m = series.observables, t = series.records
        precondition(t >= 1, "no records")
        let n = r * t
        // Means.
        var mean = [Double](repeating: 0, count: m)
        series.values.withUnsafeBufferPointer { a in
            for i in 0..<(n) {
                let row = a.baseAddress! + i * m
                for j in 0..<m { mean[j] += row[j] }
            }
        }
        for j in 0..<m { mean[j] /= Double(n) }
        // Fluctuations, record-major like the input.
        var delta = series.values
        delta.withUnsafeMutableBufferPointer { d in
            for i in 0..<n {
                let row = d.baseAddress! + i * m
                for j in 0..<m { row[j] -= mean[j] }
            }
        }

        // Gamma(lag) for every observable whose window is still open, extending
        // the lag until every window is found (or the series runs out).
        var searches = (0..<m).map { _ in WindowSearch(samples: n, records: t, windowFactor: windowFactor) }
        var lag = 0
        var open = Array(0..<m)
        while !open.isEmpty {
            let g = autocovariance(delta, chains: r, observables: m, records: t, lag: lag, of: open)
            for (slot, j) in open.enumerated() { searches[j].add(g[slot]) }
            open.removeAll { searches[$0].window != nil }
            lag += 1
        }
        return (0..<m).map { searches[$0].estimate(mean: mean[$0]) }
    }

    /// The estimate of a single observable recorded as one value per chain per record.
    public func estimate(_ series: ReplicaSeries) -> Estimate {
        precondition(series.observables == 1, "use estimates(_:) for several observables")
        return estimates(series)[0]
    }

    /// `Gamma(lag)` of the observables `subset`, in that order.
    private func autocovariance(
        _ delta: [Double], chains r: Int, observables m: Int, records t: Int, lag: Int, of subset: [Int]
    ) -> [Double] {
        var g = [Double](repeating: 0, count: subset.count)
        let all = subset.count == m
        delta.withUnsafeBufferPointer { d in
            g.withUnsafeMutableBufferPointer { acc in
                for i in 0..<(t - lag) {
                    for c in 0..<r {
                        let a = d.baseAddress! + (i * r + c) * m
                        let b = d.baseAddress! + ((i + lag) * r + c) * m
                        if all {
                            for j in 0..<m { acc[j] += a[j] * b[j] }
                        } else {
                            for (slot, j) in subset.enumerated() { acc[slot] += a[j] * b[j] }
                        }
                    }
                }
            }
        }
        let pairs = Double(r * (t - lag))
        return g.map { $0 / pairs }
    }
}

/// Wolff's automatic window, fed `Gamma(0), Gamma(1), ...` one lag at a time,
/// and the estimate once the window is found: the part of the Gamma method
/// after the autocovariances, shared by one process's and the ranks' estimates.
struct WindowSearch {
    /// `N` samples, `T` records per chain.
    let samples: Int
    let records: Int
    let windowFactor: Double
    private(set) var gamma: [Double] = []
    private var cumulative = 0.0  // sum_{1..lag} Gamma / Gamma0
    private(set) var window: Int?
    private var atLimit = false

    init(samples: Int, records: Int, windowFactor: Double) {
        self.samples = samples
        self.records = records
        self.windowFactor = windowFactor
    }

    /// The lag up to which a window may be looked for: half the series.
    var maxLag: Int { max(0, records / 2) }

    /// Takes `Gamma(lag)` for the next lag; sets `window` once it is found.
    mutating func add(_ g: Double) {
        let lag = gamma.count
        gamma.append(g)
        if lag == 0 {
            if !(g > 0) { window = 0 }  // constant series
        } else {
            cumulative += g / gamma[0]
            let tauInt = 0.5 + cumulative
            let tau = tauInt > 0.5 ? windowFactor / log((2 * tauInt + 1) / (2 * tauInt - 1)) : Double.leastNormalMagnitude
            let criterion = exp(-Double(lag) / tau) - tau / (Double(lag) * Double(samples)).squareRoot()
            if criterion < 0 { window = lag }
        }
        // Series too short for the criterion: the window stops at its limit.
        if window == nil && lag >= maxLag {
            window = lag
            atLimit = true
        }
    }

    /// The estimate with the window found.
    func estimate(mean: Double) -> Estimate {
        let n = samples, w = window ?? 0
        let gamma0 = gamma[0]
        guard gamma0 > 0 else {
            return Estimate(mean: mean, error: 0, variance: 0, tauInt: 0.5, count: n, windowAtLimit: n < 2 ? true : nil)
        }
        // C(W) = Gamma(0) + 2 sum_{t=1}^W Gamma(t), with Wolff's bias correction
        // Gamma(t) -> Gamma(t) + C(W)/N applied once.
        var c = gamma0
        for l in stride(from: 1, through: w, by: 1) { c += 2 * gamma[l] }
        let correctedC = c * (1 + Double(2 * w + 1) / Double(n))
        let correctedGamma0 = gamma0 + c / Double(n)
        let tauInt = max(0.5, correctedC / (2 * correctedGamma0))
        let variance = gamma0 * Double(n) / Double(max(1, n - 1))
        let error = (2 * tauInt * correctedGamma0 / Double(n)).squareRoot()
        return Estimate(
            mean: mean, error: error, variance: variance, tauInt: tauInt, count: n, windowAtLimit: atLimit ? true : nil)
    }
}
