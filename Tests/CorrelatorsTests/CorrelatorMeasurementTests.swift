import Correlators
import Foundation
import FourierTransform
import Lattice
import LinearAlgebra
import Measurements
import Statistics
import Testing
import TestSupport

/// `measurement`'s result on the batches, recorded as a run records them.
func measure(_ measurement: CorrelatorMeasurement, chains: Int, _ batches: [FieldBatch]) throws -> CorrelatorResult {
    let set = MeasurementSet([measurement], chains: chains)
    var block = set.emptyBlock()
    for batch in batches { set.record(MeasuredSweep(fields: batch), into: &block) }
    var series = set.emptySeries()
    MeasurementSet.append(block, to: &series)
    return try measurement.result(series[0])
}

@Suite struct CorrelatorMeasurementTests {
    /// `G(r)` from `G(k)` by FFT against the defining sum `(1/V) sum_k cos(k.r) G(k)`.
    @Test(arguments: [[7], [4, 3], [3, 2, 4]])
    func positionSpaceMatchesTheDirectSum(extent: [Int]) {
        let lattice = Lattice(extent: extent)
        let g = FreeTheory(lattice: lattice, massSquared: 0.3).momentumCorrelator
        let r = positionSpace(g, fft: RealFFT(extent: extent))
        for x in 0..<lattice.volume {
            let c = lattice.coordinates(of: x)
            let direct = (0..<lattice.volume).reduce(0.0) { sum, k in
                let kv = lattice.momentum(k)
                return sum + g[k] * cos((0..<lattice.dimension).reduce(0) { $0 + kv[$1] * Double(c[$1]) })
            } / Double(lattice.volume)
            #expect(isClose(r[x], direct, relative: 1e-13))
        }
    }

    /// On fixed fields the per-sample observables are known exactly: the means
    /// must equal direct sums `|sum_x e^{-ik.x} phi_x|^2 / V` and
    /// `(1/V) sum_x phi_x phi_{x+r}` averaged over the samples.
    @Test(arguments: [[6], [4, 3], [2, 3, 2]])
    func meansEqualDirectSums(extent: [Int]) throws {
        let lattice = Lattice(extent: extent)
        let v = lattice.volume
        let chains = 2, records = 3
        let measurement = CorrelatorMeasurement(lattice: lattice, fft: RealFFT(extent: extent))
        var all: [[Double]] = []
        var batches: [FieldBatch] = []
        for t in 0..<records {
            let batch = testFields(samples: chains, sites: v, seed: UInt64(t))
            batches.append(batch)
            for c in 0..<chains { all.append(Array(batch.storage[(c * v)..<((c + 1) * v)])) }
        }
        let result = try measure(measurement, chains: chains, batches)
        for k in 0..<v {
            let kv = lattice.momentum(k)
            let direct = all.reduce(0.0) { sum, phi in
                var re = 0.0, im = 0.0
                for x in 0..<v {
                    let c = lattice.coordinates(of: x)
                    let a = (0..<lattice.dimension).reduce(0) { $0 + kv[$1] * Double(c[$1]) }
                    re += cos(a) * phi[x]
                    im -= sin(a) * phi[x]
                }
                return sum + (re * re + im * im) / Double(v)
            } / Double(all.count)
            #expect(isClose(result.momentum[k].correlator.mean, direct, relative: 1e-12))
        }
        for r in 0..<v {
            let shift = lattice.coordinates(of: r)
            let direct = all.reduce(0.0) { sum, phi in
                sum + (0..<v).reduce(0.0) { s, x in
                    let y = lattice.site(at: zip(lattice.coordinates(of: x), shift).map { $0 + $1 })
                    return s + phi[x] * phi[y]
                } / Double(v)
            } / Double(all.count)
            #expect(isClose(result.position[r].correlator.mean, direct, relative: 1e-12))
        }
        // G_c(0) = V (<phibar^2> - <phibar>^2); G_c = G elsewhere.
        let bars = all.map { $0.reduce(0, +) / Double(v) }
        let meanBar = bars.reduce(0, +) / Double(bars.count)
        let meanBar2 = bars.reduce(0) { $0 + $1 * $1 } / Double(bars.count)
        #expect(isClose(result.momentum[0].connected.mean, Double(v) * (meanBar2 - meanBar * meanBar), relative: 1e-10))
        for k in 1..<v { #expect(result.momentum[k].connected == result.momentum[k].correlator) }
        #expect(isClose(result.momentum[0].gaussianFrequency!.mean, 1 / (2 * result.momentum[0].connected.mean), relative: 1e-14))
    }

    /// Over a lattice symmetry's orbits (reflections, permutations of equal
    /// extents) every momentum's and separation's mean is the average of the
    /// plain measurement's means over its orbit, and its members share it.
    @Test(arguments: [[6], [4, 4], [4, 4, 3], [6, 3]])
    func symmetryOrbitsAverageTheMeans(extent: [Int]) throws {
        let lattice = Lattice(extent: extent)
        let v = lattice.volume, chains = 3
        let batches = (0..<4).map { testFields(samples: chains, sites: v, seed: UInt64(10 + $0)) }
        let symmetry = LatticeSymmetry.ofAction(lattice: lattice, anisotropic: false)
        let plain = try measure(CorrelatorMeasurement(lattice: lattice, fft: RealFFT(extent: extent)), chains: chains, batches)
        let reduced = try measure(
            CorrelatorMeasurement(lattice: lattice, fft: RealFFT(extent: extent), symmetry: symmetry), chains: chains, batches)
        #expect(symmetry.orbitCount < v || v <= 2)
        for orbit in symmetry.members {
            let k = orbit.map { plain.momentum[$0].correlator.mean }.reduce(0, +) / Double(orbit.count)
            let r = orbit.map { plain.position[$0].correlator.mean }.reduce(0, +) / Double(orbit.count)
            for i in orbit {
                #expect(isClose(reduced.momentum[i].correlator.mean, k, relative: 1e-12), "\(extent) k \(i)")
                #expect(isClose(reduced.position[i].correlator.mean, r, relative: 1e-12), "\(extent) r \(i)")
            }
        }
        // The orbits: with L = (4, 4) the mode numbers (1, 0), (3, 0), (0, 1), (0, 3) are one.
        if extent == [4, 4] {
            let o = symmetry.orbitOfSite
            #expect(Set([4, 12, 1, 3].map { o[$0] }).count == 1 && o[5] != o[4])
        }
    }

    /// Exact samples of the free ground state, `phitilde_k` Gaussian with
    /// `<|phitilde_k|^2> = V / (2 omega_k)`, built independently of the sampler:
    /// the measured `G(k)` must agree with `1/(2 omega_k)` within its errors,
    /// and the errors must be honest (normalised RMS near 1).
    @Test(arguments: [([16], 1), ([6, 5], 2), ([4, 3, 4], 3)] as [([Int], UInt64)])
    func exactFreeSamplesReproduceTheFreeCorrelator(extent: [Int], seed: UInt64) throws {
        let lattice = Lattice(extent: extent)
        let v = lattice.volume
        let free = FreeTheory(lattice: lattice, massSquared: 0.4)
        let omega = free.frequencies
        // phi = C^{1/2} xi with xi ~ N(0, 1)^V, where the covariance
        // C_xy = (1/V) sum_k cos(k.(x-y)) / (2 omega_k) has the square root
        // C^{1/2}_xy = (1/V) sum_k cos(k.(x-y)) / sqrt(2 omega_k).
        var root = Matrix(rows: v, columns: v)
        for x in 0..<v {
            for y in 0..<v {
                let d = zip(lattice.coordinates(of: x), lattice.coordinates(of: y)).map { $0 - $1 }
                root[x, y] = (0..<v).reduce(0.0) { sum, k in
                    let kv = lattice.momentum(k)
                    let phase = (0..<lattice.dimension).reduce(0) { $0 + kv[$1] * Double(d[$1]) }
                    return sum + cos(phase) / (2 * omega[k]).squareRoot()
                } / Double(v)
            }
        }
        let chains = 8, records = 500
        var rng = RandomSource(seed: seed)
        let measurement = CorrelatorMeasurement(lattice: lattice, fft: RealFFT(extent: extent), exact: free.momentumCorrelator)
        let batches = (0..<records).map { _ in
            product(Matrix(rows: chains, columns: v, storage: (0..<(chains * v)).map { _ in rng.normal() }), .none, root, .none)
        }
        let result = try measure(measurement, chains: chains, batches)
        let rows = result.momentum
        #expect(rows.allSatisfy { $0.free != nil })
        let rms = normalizedRMS(
            values: rows.map(\.correlator.mean), errors: rows.map(\.correlator.error), exact: free.momentumCorrelator)
        // About V/2 independent momenta: the RMS of n unit normals is 1 +- 1/sqrt(2n).
        // Require [0.5, 2] as the issue does; that is > 3 standard deviations for n >= 8.
        #expect(rms > 0.5 && rms < 2, "seed \(seed): rms \(rms)")
        let rmsR = normalizedRMS(
            values: result.position.map(\.correlator.mean), errors: result.position.map(\.correlator.error),
            exact: result.position.map { $0.free! })
        #expect(rmsR > 0.5 && rmsR < 2, "seed \(seed): rms in position space \(rmsR)")
    }
}
