import Execution
import Parallelism
import Foundation
import Statistics
import Testing
import TestSupport

/// The Gamma method on AR(1) chains `x_{t+1} = rho x_t + sqrt(1 - rho^2) xi_t`,
/// started in equilibrium, whose exact integrated autocorrelation time is
/// `tau_int = (1 + rho) / (2 (1 - rho))` and whose mean is 0.
@Suite struct GammaMethodTests {
    func ar1(rho: Double, chains: Int, length: Int, seed: UInt64) -> ReplicaSeries {
        var rng = (0..<chains).map { RandomSource(seed: seed, stream: UInt64($0)) }
        var x = (0..<chains).map { rng[$0].normal() }
        var series = ReplicaSeries(chains: chains, observables: 2, reservingRecords: length)
        let s = (1 - rho * rho).squareRoot()
        for _ in 0..<length {
            // Two observables: the AR(1) value and an independent white noise.
            var record: [Double] = []
            for c in 0..<chains {
                x[c] = rho * x[c] + s * rng[c].normal()
                record += [x[c], rng[c].normal()]
            }
            series.append(record: record)
        }
        return series
    }

    @Test(arguments: [(0.5, 11 as UInt64), (0.9, 12), (0.95, 13)])
    func integratedAutocorrelationTimeOfAR1(rho: Double, seed: UInt64) {
        let series = ar1(rho: rho, chains: 16, length: 20_000, seed: seed)
        let estimates = GammaMethod().estimates(series)
        let exact = (1 + rho) / (2 * (1 - rho))
        let n = Double(estimates[0].count)
        // Wolff eq. 42: the statistical error of tau_int is about
        // tau_int sqrt(4 (W + 1/2 - tau_int) / N) <= tau_int sqrt(2 (2W + 1) / N);
        // W is at most a few tau, so take W = 10 tau. Allow 4 of those errors.
        let tauError = exact * (2 * (20 * exact + 1) / n).squareRoot()
        #expect(abs(estimates[0].tauInt - exact) < 4 * tauError, "seed \(seed): tau \(estimates[0].tauInt) vs \(exact)")
        // The error of the mean then follows: sigma^2 = 2 tau_int / N for unit variance.
        let exactError = (2 * exact / n).squareRoot()
        #expect(abs(estimates[0].error / exactError - 1) < 4 * tauError / exact, "seed \(seed)")
        #expect(abs(estimates[1].tauInt - 0.5) < 4 * 0.5 * (2 * 11 / n).squareRoot(), "seed \(seed)")
        #expect(abs(estimates[0].variance - 1) < 0.05)
    }

    /// Honest error bars: over many independent runs, the mean lies within one
    /// error of the truth about 68.3% of the time. With 400 runs the binomial
    /// standard error of that fraction is 0.023; allow 4 of them.
    @Test func errorBarsCoverTheTruth() {
        let runs = 400
        var covered = 0
        for r in 0..<runs {
            let e = GammaMethod().estimates(ar1(rho: 0.8, chains: 4, length: 2_000, seed: 1000 + UInt64(r)))[0]
            if abs(e.mean) < e.error { covered += 1 }
        }
        let fraction = Double(covered) / Double(runs)
        #expect(abs(fraction - 0.683) < 4 * (0.683 * 0.317 / Double(runs)).squareRoot(), "coverage \(fraction)")
    }

    @Test func constantSeriesHasZeroError() {
        var series = ReplicaSeries(chains: 3, observables: 1)
        for _ in 0..<10 { series.append(record: [2.5, 2.5, 2.5]) }
        let e = GammaMethod().estimate(series)
        #expect(e.mean == 2.5 && e.error == 0 && e.tauInt == 0.5 && e.count == 30)
    }

    /// The analysis as runs do it — lags in blocks over the open columns, then
    /// FFT autocorrelations for the slow ones — against a plain lag-by-lag Gamma
    /// method written here from Wolff's formulas: the same errors and tau_int to
    /// rounding for slow (window beyond the direct lags) and fast observables, the
    /// same numbers for any thread count, and a stop request honoured.
    @Test func blockedAndFFTGammaMatchesThePlainMethod() throws {
        let chains = 4, records = 3000
        var rng = RandomSource(seed: 21)
        // Observable 0: AR(1) with tau ~ 50 (window well past 32); 1: white noise; 2: AR(1), tau ~ 5.
        var state = [[Double]](repeating: [0, 0, 0], count: chains)
        var values: [Double] = []
        for _ in 0..<records {
            for c in 0..<chains {
                state[c][0] = 0.98 * state[c][0] + rng.normal()
                state[c][1] = rng.normal()
                state[c][2] = 0.8 * state[c][2] + rng.normal()
                values += state[c]
            }
        }
        let series = ReplicaSeries(chains: chains, observables: 3, values: values)
        let serial = GammaMethod().estimates(series)
        let threaded = try GammaMethod().estimates(series, stop: .never, parallelism: Parallelism(threads: 2))
        #expect(serial == threaded)
        for j in 0..<3 {
            let plain = plainGamma(values.enumerated().filter { $0.offset % 3 == j }.map(\.element), chains: chains)
            #expect(isClose(serial[j].error, plain.error, relative: 1e-10), "observable \(j): \(serial[j].error) vs \(plain.error)")
            #expect(isClose(serial[j].tauInt, plain.tauInt, relative: 1e-10), "observable \(j): \(serial[j].tauInt) vs \(plain.tauInt)")
            #expect(serial[j].mean == plain.mean)
        }
        #expect(serial[0].tauInt > 20 && serial[1].tauInt < 1)
        #expect(throws: Interrupted.self) { try GammaMethod().estimates(series, stop: StopCheck { true }, parallelism: .serial) }
    }

    /// Wolff's method, one lag at a time, for one observable recorded chain-major per record.
    func plainGamma(_ a: [Double], chains r: Int) -> (mean: Double, error: Double, tauInt: Double) {
        let t = a.count / r, n = a.count
        let mean = a.reduce(0, +) / Double(n)
        let d = a.map { $0 - mean }
        func gamma(_ lag: Int) -> Double {
            var sum = 0.0
            for i in 0..<(t - lag) { for c in 0..<r { sum += d[i * r + c] * d[(i + lag) * r + c] } }
            return sum / Double(r * (t - lag))
        }
        let g0 = gamma(0)
        var gammas = [g0], cumulative = 0.0, window = t / 2
        for lag in 1...(t / 2) {
            let g = gamma(lag)
            gammas.append(g)
            cumulative += g / g0
            let tauInt = 0.5 + cumulative
            let tau = tauInt > 0.5 ? 1.5 / log((2 * tauInt + 1) / (2 * tauInt - 1)) : Double.leastNormalMagnitude
            if exp(-Double(lag) / tau) - tau / (Double(lag) * Double(n)).squareRoot() < 0 { window = lag; break }
        }
        var c = g0
        for l in stride(from: 1, through: window, by: 1) { c += 2 * gammas[l] }
        let correctedC = c * (1 + Double(2 * window + 1) / Double(n))
        let correctedGamma0 = g0 + c / Double(n)
        let tauInt = max(0.5, correctedC / (2 * correctedGamma0))
        return (mean, (2 * tauInt * correctedGamma0 / Double(n)).squareRoot(), tauInt)
    }
}
