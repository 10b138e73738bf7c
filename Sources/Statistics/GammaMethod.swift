import Execution
import Foundation
import FourierTransform
import Parallelism

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
        // Without a stop check nothing can throw.
        (try? estimates(series, stop: .never, parallelism: .serial)) ?? []
    }

    /// One `Estimate` per observable of `series`, the observables split over the
    /// threads of `parallelism` and `stop` polled between blocks of lags and
    /// between observables (it throws `Interrupted`).
    ///
    /// The first `directLags` lags are summed directly, `lagBlock` at a time in one
    /// pass over the series, only for the observables whose window is still open;
    /// each sum runs in the lag-by-lag method's order (records, then chains), so
    /// an observable whose window closes within them has exactly its numbers. An
    /// observable still open then takes the rest of `Gamma(t)` from FFTs of its
    /// chains' zero-padded series (`AutocorrelationFFT`: O(N log N) whatever the
    /// window, where the direct sum costs O(N W); the sums agree to rounding,
    /// ~1e-16 of `Gamma(0)`). Every observable's numbers are the same for any
    /// thread count and any split.
    public func estimates(_ series: ReplicaSeries, stop: StopCheck, parallelism: Parallelism) throws -> [Estimate] {
        let r = series.chains, m = series.observables, t = series.records
        precondition(t >= 1, "no records")
        let n = r * t
        let parts = evenSplit(m, parts: min(parallelism.threads, m))
        let windowFactor = self.windowFactor
        let results = parallelism.map(parts.count) { part -> [Estimate]? in
            let columns = parts[part]
            return series.values.withUnsafeBufferPointer { all in
                Self.estimates(all, chains: r, observables: m, records: t, columns: columns, windowFactor: windowFactor, stop: stop)
            }
        }
        try stop.check()
        guard results.allSatisfy({ $0 != nil }) else { throw Interrupted() }
        _ = n
        return results.flatMap { $0 ?? [] }
    }

    /// Lags computed in one pass over the series.
    static let lagBlock = 8
    /// Lags summed directly, in the order of the lag-by-lag method, before the
    /// observables still open take every further lag from one FFT each: an
    /// observable whose window closes by then has exactly the lag-by-lag numbers.
    static let directLags = 32

    /// The estimates of observables `columns` of a record-major series; nil when
    /// a stop was requested here.
    private static func estimates(
        _ a: UnsafeBufferPointer<Double>, chains r: Int, observables m: Int, records t: Int, columns: Range<Int>,
        windowFactor: Double, stop: StopCheck
    ) -> [Estimate]? {
        let n = r * t, k = columns.count, first = columns.lowerBound
        // Means, each summed over the rows in order.
        var mean = [Double](repeating: 0, count: k)
        for i in 0..<n {
            let row = a.baseAddress! + i * m + first
            for j in 0..<k { mean[j] += row[j] }
        }
        for j in 0..<k { mean[j] /= Double(n) }
        // Fluctuations of these columns, record-major, contiguous.
        var delta = [Double](repeating: 0, count: n * k)
        delta.withUnsafeMutableBufferPointer { d in
            for i in 0..<n {
                let row = a.baseAddress! + i * m + first, out = d.baseAddress! + i * k
                for j in 0..<k { out[j] = row[j] - mean[j] }
            }
        }
        var searches = (0..<k).map { _ in WindowSearch(samples: n, records: t, windowFactor: windowFactor) }
        // The columns still open, packed contiguously: as windows close the
        // fluctuations are repacked, so the inner loop always runs over contiguous
        // columns (it vectorises) and never over closed ones.
        var open = Array(0..<k)
        var packed = delta
        var lag = 0
        while !open.isEmpty && lag < directLags {
            if lag > 0 && stop.isRequestedHere { return nil }
            let lags = lag..<min(lag + lagBlock, t)
            if lags.isEmpty { break }
            let g = autocovariances(packed, chains: r, width: open.count, records: t, lags: lags)
            for (slot, j) in open.enumerated() {
                for l in lags where searches[j].window == nil { searches[j].add(g[(l - lag) * open.count + slot]) }
            }
            lag = lags.upperBound
            let still = open.indices.filter { searches[open[$0]].window == nil }
            if still.count < open.count {
                if !still.isEmpty { packed = Self.columns(packed, width: open.count, rows: n, keeping: still) }
                open = still.map { open[$0] }
            }
        }
        // Slowly decorrelating observables: every further lag at once by FFT.
        if !open.isEmpty {
            let fft = AutocorrelationFFT(records: t)
            for (slot, j) in open.enumerated() {
                if stop.isRequestedHere { return nil }
                let sums = fft.sums(packed, chains: r, width: open.count, column: slot, lags: searches[j].maxLag + 1)
                var l = lag
                while searches[j].window == nil, l < sums.count {
                    searches[j].add(sums[l] / Double(r * (t - l)))
                    l += 1
                }
            }
        }
        return (0..<k).map { searches[$0].estimate(mean: mean[$0]) }
    }

    /// The columns `keep` of a `rows x width` record-major array, packed.
    private static func columns(_ a: [Double], width: Int, rows: Int, keeping keep: [Int]) -> [Double] {
        let w = keep.count
        var out = [Double](repeating: 0, count: rows * w)
        a.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for i in 0..<rows {
                    let row = src.baseAddress! + i * width, target = dst.baseAddress! + i * w
                    for (slot, j) in keep.enumerated() { target[slot] = row[j] }
                }
            }
        }
        return out
    }

    /// `Gamma(l)` for `l` in `lags` of every column of a record-major series
    /// `width` wide: `result[(l - lags.first) * width + j]`. Each sum runs over
    /// records, then chains, as one accumulator: the order of the lag-by-lag
    /// method, so the numbers are the same whatever else is computed beside them.
    private static func autocovariances(_ delta: [Double], chains r: Int, width m: Int, records t: Int, lags: Range<Int>) -> [Double] {
        let first = lags.lowerBound
        var g = [Double](repeating: 0, count: lags.count * m)
        delta.withUnsafeBufferPointer { d in
            g.withUnsafeMutableBufferPointer { acc in
                for i in 0..<(t - first) {
                    for c in 0..<r {
                        let a = d.baseAddress! + (i * r + c) * m
                        for l in lags where i + l < t {
                            let b = d.baseAddress! + ((i + l) * r + c) * m
                            let out = acc.baseAddress! + (l - first) * m
                            for j in 0..<m { out[j] += a[j] * b[j] }
                        }
                    }
                }
            }
        }
        for l in lags {
            let pairs = Double(r * (t - l))
            for j in 0..<m { g[(l - first) * m + j] /= pairs }
        }
        return g
    }

    /// The estimate of a single observable recorded as one value per chain per record.
    public func estimate(_ series: ReplicaSeries) -> Estimate {
        precondition(series.observables == 1, "use estimates(_:) for several observables")
        return estimates(series)[0]
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

/// Autocorrelation sums `S(l) = sum_i x_i x_{i+l}` of series of `records` values
/// by FFT: zero-padded to a power of two at least twice as long (no wrap-around),
/// `S = IFFT(|FFT x|^2) / L`. One plan pair per length, made once per analysis.
struct AutocorrelationFFT {
    let records: Int
    let length: Int
    let fft: RealFFT

    init(records: Int) {
        self.records = records
        var length = 2
        while length < 2 * records { length *= 2 }
        self.length = length
        fft = RealFFT(extent: [length])
    }

    /// `sum_c S_c(l)` for `l < lags` over the chains of column `column` of a
    /// record-major `records x chains x width` array.
    func sums(_ a: [Double], chains r: Int, width m: Int, column: Int, lags: Int) -> [Double] {
        let h = fft.spectrum.count
        var x = [Double](repeating: 0, count: length)
        var spectrum = [Double](repeating: 0, count: 2 * h)
        var back = [Double](repeating: 0, count: length)
        var total = [Double](repeating: 0, count: min(lags, records))
        a.withUnsafeBufferPointer { values in
            for c in 0..<r {
                for i in 0..<records { x[i] = values[(i * r + c) * m + column] }
                x.withUnsafeBufferPointer { xs in spectrum.withUnsafeMutableBufferPointer { fft.forward(xs.baseAddress!, $0.baseAddress!) } }
                for q in 0..<h {
                    spectrum[2 * q] = spectrum[2 * q] * spectrum[2 * q] + spectrum[2 * q + 1] * spectrum[2 * q + 1]
                    spectrum[2 * q + 1] = 0
                }
                spectrum.withUnsafeMutableBufferPointer { sp in back.withUnsafeMutableBufferPointer { fft.backward(destroying: sp.baseAddress!, $0.baseAddress!) } }
                for l in total.indices { total[l] += back[l] / Double(length) }
            }
        }
        return total
    }
}
