import FourierTransform
import Lattice
import LinearAlgebra
import Measurements
import Statistics

/// Accumulates equal-time correlators over Monte Carlo samples, one FFT per
/// sample through a plan made once for the lattice shape.
///
/// Per sample it records `|phitilde_k|^2 / V` for the half spectrum, the mean
/// field `phibar`, and `g(r) = (1/V) sum_x phi_x phi_{x+r} = (1/V^2) sum_k exp(i k.r) |phitilde_k|^2`
/// (a second, inverse FFT), as one `ReplicaSeries`, so every correlator gets an
/// autocorrelation-aware error from the Gamma method.
public struct CorrelatorMeasurement: Measurement {
    public let lattice: Lattice
    private let fft: RealFFT
    /// Exact `G(k)` per momentum (row-major), written beside the measured values
    /// (the free theory: `1/(2 omega_k)` of a ground state, `1/K(k)` of a Euclidean action).
    public let exact: [Double]?
    /// Whether the fields are equal-time samples of a ground state, whose
    /// `omega_gauss = 1/(2 G_c)` is reported; not for Euclidean configurations.
    public let groundState: Bool
    /// Layout of each record: `[power_h (H) | phibar | g_r (V)]`.
    public private(set) var series: ReplicaSeries

    public init(
        lattice: Lattice, fft: RealFFT, chains: Int, reservingRecords records: Int = 0, exact: [Double]? = nil,
        groundState: Bool = true
    ) {
        precondition(fft.extent == lattice.extent, "FFT plan and lattice differ in shape")
        precondition(exact.map { $0.count == lattice.volume } ?? true, "one exact value per momentum")
        self.lattice = lattice
        self.fft = fft
        self.exact = exact
        self.groundState = groundState
        series = ReplicaSeries(
            chains: chains, observables: fft.spectrum.count + 1 + lattice.volume, reservingRecords: records)
    }

    private var halfCount: Int { fft.spectrum.count }

    /// Records one sample per chain (`chains x V`).
    public mutating func record(_ fields: FieldBatch) {
        precondition(fields.sampleCount == series.chains && fields.siteCount == lattice.volume)
        let v = lattice.volume, half = halfCount, m = series.observables
        let inverseVolume = 1 / Double(v)
        var spectrum = [Double](repeating: 0, count: 2 * half)
        let fft = self.fft
        series.appendRecord { record in
            fields.storage.withUnsafeBufferPointer { all in
                spectrum.withUnsafeMutableBufferPointer { s in
                    for c in 0..<fields.sampleCount {
                        let phi = all.baseAddress! + c * v
                        let out = record.baseAddress! + c * m
                        fft.forward(phi, s.baseAddress!)
                        for h in 0..<half {
                            let power = s[2 * h] * s[2 * h] + s[2 * h + 1] * s[2 * h + 1]
                            out[h] = power * inverseVolume
                            s[2 * h] = power * inverseVolume * inverseVolume
                            s[2 * h + 1] = 0
                        }
                        var sum = 0.0
                        for x in 0..<v { sum += phi[x] }
                        out[half] = sum * inverseVolume
                        fft.backward(destroying: s.baseAddress!, out + half + 1)
                    }
                }
            }
        }
    }

    public mutating func record(_ sweep: MeasuredSweep) { record(sweep.fields) }

    /// correlator_k.csv and correlator_r.csv.
    public func results(gamma: GammaMethod) -> MeasurementResults {
        let result = result(gamma: gamma)
        let d = lattice.dimension
        return MeasurementResults(tables: [
            CorrelatorResult.momentumFile: result.momentumTable(dimension: d),
            CorrelatorResult.positionFile: result.positionTable(dimension: d),
        ])
    }

    /// Estimates of every correlator, with the exact columns when `exact` is set.
    public func result(gamma: GammaMethod = GammaMethod()) -> CorrelatorResult {
        let half = halfCount, v = lattice.volume
        let estimates = gamma.estimates(series)
        let connectedZero = connectedZeroMode(gamma: gamma, estimates: estimates)
        let freeK = exact
        let freeR = freeK.map { positionSpace($0, fft: fft) }

        let momentumRows = (0..<v).map { i -> MomentumCorrelatorRow in
            let g = estimates[fft.spectrum.elementOfMomentum[i]]
            let connected = i == 0 ? connectedZero : g
            // omega = 1/(2 G_c), d omega / d G_c = -1/(2 G_c^2).
            var omega: Estimate? = nil
            if groundState {
                let slope = 1 / (2 * connected.mean * connected.mean)
                omega = connected
                omega?.mean = 1 / (2 * connected.mean)
                omega?.error = connected.error * slope
                omega?.variance = connected.variance * slope * slope
            }
            return MomentumCorrelatorRow(
                modeNumbers: lattice.modeNumbers(ofMomentum: i), momentum: lattice.momentum(i),
                latticeMomentumSquared: lattice.latticeMomentumSquared(i),
                correlator: g, connected: connected, gaussianFrequency: omega, free: freeK?[i])
        }
        let positionRows = (0..<v).map { r in
            PositionCorrelatorRow(
                separation: lattice.separation(r), correlator: estimates[half + 1 + r], free: freeR?[r])
        }
        return CorrelatorResult(momentum: momentumRows, position: positionRows)
    }

    /// `G_c(0) = G(0) - V phibar^2`, a function of two means. Its error comes from
    /// the Gamma method applied to the linearised series
    /// `dG_c/dG(0) a_G + dG_c/dphibar a_phibar = a_G - 2 V <phibar> a_phibar` (Wolff §3).
    private func connectedZeroMode(gamma: GammaMethod, estimates: [Estimate]) -> Estimate {
        let zero = fft.spectrum.elementOfMomentum[0], half = halfCount
        let v = Double(lattice.volume)
        let meanField = estimates[half].mean
        var gradient = [Double](repeating: 0, count: series.observables)
        gradient[zero] = 1
        gradient[half] = -2 * v * meanField
        return gamma.estimate(of: estimates[zero].mean - v * meanField * meanField, gradient: gradient, series: series)
    }
}
