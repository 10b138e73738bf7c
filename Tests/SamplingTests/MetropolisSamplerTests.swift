import Execution
import Foundation
import Lattice
import LinearAlgebra
import Parallelism
import Sampling
import Statistics
import Testing
import TestSupport

/// Independent Gaussians with a different width per site: `log p = -sum_x phi_x^2 / (2 s_x^2)`.
struct DiagonalGaussian: LogDensity {
    let widths: [Double]

    func logDensity(_ fields: FieldBatch) -> [Double] {
        (0..<fields.sampleCount).map { b in
            (0..<fields.siteCount).reduce(0) { $0 - pow(fields[b, $1] / widths[$1], 2) / 2 }
        }
    }

    func logDensityAndGradient(_ fields: FieldBatch) -> (values: [Double], gradient: FieldBatch) {
        var g = fields
        for b in 0..<fields.rows { for x in 0..<fields.columns { g[b, x] = -fields[b, x] / pow(widths[x], 2) } }
        return (logDensity(fields), g)
    }
}

extension DiagonalGaussian: SiteLocalDensity {
    func siteCache(_ fields: FieldBatch) -> Void {}

    func proposeSiteChange(
        _ cache: inout Void, fields: FieldBatch, site: Int, deltas: [Double], floors _: [Double]?, into change: inout [Double]
    ) {
        for c in deltas.indices {
            let (old, new) = (fields[c, site], fields[c, site] + deltas[c])
            change[c] = (old * old - new * new) / (2 * pow(widths[site], 2))
        }
    }

    func acceptSiteChange(_ cache: inout Void, site: Int, deltas: [Double], accepted: [Bool]) {}
}

@Suite struct MetropolisSamplerTests {
    let density = DiagonalGaussian(widths: [0.5, 1, 1.5, 2])

    /// Samples must reproduce `<phi_x^2> = s_x^2` within their Gamma-method
    /// errors. Chains start at spread 3 (away from equilibrium) and thermalize.
    /// Each of the 4 checks allows 4 sigma (a correct sampler fails one with
    /// probability ~3e-4).
    /// Single-site sweeps of 3 proposals on 4 sites must still reach every site.
    @Test(arguments: [("random-walk", 1, 4), ("random-walk", 2, 4), ("langevin", 3, 4), ("langevin", 4, 4), ("single-site", 5, 4), ("single-site", 6, 3)] as [(String, UInt64, Int)])
    func samplesTheTargetDensity(kind: String, seed: UInt64, sweep: Int) throws {
        let settings = MetropolisSettings(chains: 16, sweep: sweep, targetAcceptance: 0.5)
        switch kind {
        case "random-walk": try samplesTheTargetDensity(RandomWalkSampler(settings), seed: seed)
        case "langevin": try samplesTheTargetDensity(LangevinSampler(settings), seed: seed)
        default: try samplesTheTargetDensity(SingleSiteSampler(settings), seed: seed)
        }
    }

    func samplesTheTargetDensity<S: MetropolisHastings>(_ sampler: S, seed: UInt64) throws where S.Density == DiagonalGaussian {
        var state = sampler.initialState(sites: 4, seed: seed)
        state.fields.storage = state.fields.storage.map { 3 * $0 }
        sampler.refresh(&state, density: density)
        try sampler.thermalize(&state, density: density, sweeps: 300)
        state.resetCounters()
        var series = ReplicaSeries(chains: 16, observables: 4)
        sampler.sample(&state, density: density, sweeps: 4000) { fields, _ in
            series.append(record: fields.storage.map { $0 * $0 })
        }
        let estimates = GammaMethod().estimates(series)
        for (x, e) in estimates.enumerated() {
            let exact = pow(density.widths[x], 2)
            #expect(abs(e.mean - exact) < 4 * e.error, "seed \(seed), site \(x): \(e.mean) +- \(e.error) vs \(exact)")
        }
        #expect(abs(state.acceptance - 0.5) < 0.1, "seed \(seed): acceptance \(state.acceptance)")
    }

    /// The same seed gives the same chains, on one thread or three (the chains
    /// are split over threads, never the arithmetic).
    @Test func sameSeedSameChainsForAnyThreadCount() throws {
        func run(threads: Int) throws -> SamplerState {
            let sampler = LangevinSampler<DiagonalGaussian>(
                MetropolisSettings(chains: 5, sweep: 5, parallelism: Parallelism(threads: threads)))
            var state = sampler.initialState(sites: 4, seed: 42)
            sampler.refresh(&state, density: density)
            try sampler.thermalize(&state, density: density, sweeps: 10)
            sampler.sample(&state, density: density, sweeps: 10) { _, _ in }
            return state
        }
        #expect(try run(threads: 1) == run(threads: 1))
        #expect(try run(threads: 1) == run(threads: 3))
    }

    /// Sampling in groups (a VMC step's way) moves every chain as the whole-batch
    /// sampling does when the groups are the same, records each group's sweeps
    /// sweep-major, and the state crosses ranks packed without a bit changing.
    @Test func groupSamplingRecordsEachGroupsSweeps() throws {
        let settings = MetropolisSettings(chains: 20, sweep: 3, parallelism: Parallelism(threads: 2))
        let sampler = RandomWalkSampler<DiagonalGaussian>(settings)
        #expect(settings.groups == [0..<10, 10..<20])
        var start = sampler.initialState(sites: 4, seed: 9)
        sampler.refresh(&start, density: density)
        var whole = start, grouped = start
        var records: [FieldBatch] = []
        sampler.sample(&whole, density: density, sweeps: 6) { fields, _ in records.append(fields) }
        let blocks = sampler.sampleInGroups(&grouped, density: density, sweeps: 6)
        #expect(grouped == whole)
        #expect(blocks.map(\.index) == [0, 1])
        for (g, block) in blocks {
            let group = settings.groups[g]
            #expect(block.rows == 6 * group.count)
            for s in 0..<6 { #expect(block.rows(s * group.count..<((s + 1) * group.count)) == records[s].rows(group)) }
        }
        var words = PackedWords()
        grouped.pack(into: &words)
        var reader = PackedWords.Reader(words.storage)
        #expect(SamplerState(unpacking: &reader) == grouped && reader.isAtEnd)
    }

    @Test func adaptationReachesTheTargetAcceptance() throws {
        for target in [0.3, 0.6] {
            let sampler = RandomWalkSampler<DiagonalGaussian>(MetropolisSettings(chains: 8, sweep: 20, targetAcceptance: target))
            var state = sampler.initialState(sites: 4, seed: 3)
            state.stepSize = [Double](repeating: 10, count: 8)  // far too wide to start
            sampler.refresh(&state, density: density)
            try sampler.thermalize(&state, density: density, sweeps: 400)
            state.resetCounters()
            sampler.sample(&state, density: density, sweeps: 200) { _, _ in }
            #expect(abs(state.acceptance - target) < 0.05, "target \(target): \(state.acceptance)")
        }
    }

    /// A stop request is honoured between blocks of thermalisation sweeps.
    @Test func thermalisationStopsOnRequest() throws {
        let sampler = RandomWalkSampler<DiagonalGaussian>(MetropolisSettings(chains: 2, sweep: 4))
        var state = sampler.initialState(sites: 4, seed: 1)
        sampler.refresh(&state, density: density)
        #expect(throws: Interrupted.self) {
            try sampler.thermalize(&state, density: density, sweeps: 1_000_000, stop: StopCheck { true })
        }
    }
}
