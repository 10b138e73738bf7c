import FourierTransform
import Lattice
import LinearAlgebra
import Measurements
import Statistics

/// Equal-time correlators over Monte Carlo samples, one FFT per sample through a
/// plan made once for the lattice shape.
///
/// Per sample it records `|phitilde_k|^2 / V`, the mean field `phibar`, and
/// `g(r) = (1/V) sum_x phi_x phi_{x+r} = (1/V^2) sum_k exp(i k.r) |phitilde_k|^2`
/// (a second, inverse FFT), so every correlator gets an autocorrelation-aware
/// error from the Gamma method. Without a symmetry it keeps one value per
/// element of the half spectrum (k and -k have the same power) and one per
/// separation. With the `symmetry` of an exactly sampled symmetric action it
/// keeps the average over each orbit of momenta and of separations instead
/// (`LatticeSymmetry`): the orbit's members have one expectation, the average
/// has a smaller error, and the Gamma method has ~2 d! times fewer series to
/// analyse (307 instead of 1553 at 32 x 32). Every row of the tables is still
/// one momentum or separation (its orbit's estimate).
public struct CorrelatorMeasurement: Measurement {
    public let lattice: Lattice
    private let fft: RealFFT
    /// Exact `G(k)` per momentum (row-major), written beside the measured values
    /// (the free theory: `1/(2 omega_k)` of a ground state, `1/K(k)` of a Euclidean action).
    public let exact: [Double]?
    /// Whether the fields are equal-time samples of a ground state, whose
    /// `omega_gauss = 1/(2 G_c)` is reported; not for Euclidean configurations.
    public let groundState: Bool
    /// The orbits values are averaged over (nil: none).
    public let symmetry: LatticeSymmetry?

    public init(lattice: Lattice, fft: RealFFT, exact: [Double]? = nil, groundState: Bool = true, symmetry: LatticeSymmetry? = nil) {
        precondition(fft.extent == lattice.extent, "FFT plan and lattice differ in shape")
        precondition(exact.map { $0.count == lattice.volume } ?? true, "one exact value per momentum")
        precondition(symmetry.map { $0.lattice == lattice } ?? true, "the symmetry's lattice")
        self.lattice = lattice
        self.fft = fft
        self.exact = exact
        self.groundState = groundState
        self.symmetry = symmetry
    }

    private var halfCount: Int { fft.spectrum.count }
    /// Values of momenta per record, and the slot of momentum i among them.
    private var momentumValues: Int { symmetry?.orbitCount ?? halfCount }
    private func momentumSlot(_ i: Int) -> Int { symmetry?.orbitOfSite[i] ?? fft.spectrum.elementOfMomentum[i] }
    /// The slot of separation r among the separations' values.
    private func separationSlot(_ r: Int) -> Int { symmetry?.orbitOfSite[r] ?? r }

    /// Layout of each record: `[momenta | phibar | separations]`.
    public var observables: Int { momentumValues + 1 + (symmetry?.orbitCount ?? lattice.volume) }

    public func record(_ sweep: MeasuredSweep, into out: UnsafeMutableBufferPointer<Double>) {
        let fields = sweep.fields
        precondition(fields.siteCount == lattice.volume)
        let v = lattice.volume, half = halfCount, m = observables, k = momentumValues
        let inverseVolume = 1 / Double(v)
        var spectrum = [Double](repeating: 0, count: 2 * half)
        var power = [Double](repeating: 0, count: half)
        var separations = [Double](repeating: 0, count: symmetry == nil ? 0 : v)
        let fft = self.fft, elementOfMomentum = fft.spectrum.elementOfMomentum
        fields.storage.withUnsafeBufferPointer { all in
            spectrum.withUnsafeMutableBufferPointer { s in
                for c in 0..<fields.sampleCount {
                    let phi = all.baseAddress! + c * v
                    let row = out.baseAddress! + c * m
                    fft.forward(phi, s.baseAddress!)
                    for h in 0..<half {
                        let p = s[2 * h] * s[2 * h] + s[2 * h + 1] * s[2 * h + 1]
                        power[h] = p * inverseVolume
                        s[2 * h] = p * inverseVolume * inverseVolume
                        s[2 * h + 1] = 0
                    }
                    var sum = 0.0
                    for x in 0..<v { sum += phi[x] }
                    row[k] = sum * inverseVolume
                    guard let symmetry else {
                        for h in 0..<half { row[h] = power[h] }
                        fft.backward(destroying: s.baseAddress!, row + k + 1)
                        continue
                    }
                    for (o, momenta) in symmetry.members.enumerated() {
                        var total = 0.0
                        for i in momenta { total += power[elementOfMomentum[i]] }
                        row[o] = total / Double(momenta.count)
                    }
                    separations.withUnsafeMutableBufferPointer { g in
                        fft.backward(destroying: s.baseAddress!, g.baseAddress!)
                        for (o, sites) in symmetry.members.enumerated() {
                            var total = 0.0
                            for r in sites { total += g[r] }
                            row[k + 1 + o] = total / Double(sites.count)
                        }
                    }
                }
            }
        }
    }

    /// correlator_k.csv and correlator_r.csv.
    public func results(_ series: ReplicaSeries, _ analysis: Analysis) throws -> MeasurementResults {
        let result = try result(series, analysis)
        let d = lattice.dimension
        return MeasurementResults(tables: [
            CorrelatorResult.momentumFile: result.momentumTable(dimension: d),
            CorrelatorResult.positionFile: result.positionTable(dimension: d),
        ])
    }

    /// Estimates of every correlator, with the exact columns when `exact` is set.
    public func result(_ series: ReplicaSeries, _ analysis: Analysis = Analysis()) throws -> CorrelatorResult {
        let k = momentumValues, v = lattice.volume
        let estimates = try analysis.estimates(series)
        let connectedZero = try connectedZeroMode(series, analysis, estimates: estimates)
        let freeK = exact
        let freeR = freeK.map { positionSpace($0, fft: fft) }

        let momentumRows = (0..<v).map { i -> MomentumCorrelatorRow in
            let g = estimates[momentumSlot(i)]
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
                separation: lattice.separation(r), correlator: estimates[k + 1 + separationSlot(r)], free: freeR?[r])
        }
        return CorrelatorResult(momentum: momentumRows, position: positionRows)
    }

    /// `G_c(0) = G(0) - V phibar^2`, a function of two means. Its error comes from
    /// the Gamma method applied to the linearised series
    /// `dG_c/dG(0) a_G + dG_c/dphibar a_phibar = a_G - 2 V <phibar> a_phibar` (Wolff §3).
    private func connectedZeroMode(_ series: ReplicaSeries, _ analysis: Analysis, estimates: [Estimate]) throws -> Estimate {
        let zero = momentumSlot(0), k = momentumValues
        let v = Double(lattice.volume)
        let meanField = estimates[k].mean
        var gradient = [Double](repeating: 0, count: series.observables)
        gradient[zero] = 1
        gradient[k] = -2 * v * meanField
        return try analysis.estimate(of: estimates[zero].mean - v * meanField * meanField, gradient: gradient, series: series)
    }
}
