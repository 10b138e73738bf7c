import Execution
import Foundation
import Lattice
import LinearAlgebra
import Statistics

/// Metropolis–Hastings sampling of a density over lattice fields, many chains in
/// lock step, with one of two proposals that move every site at once:
/// - `.randomWalk` (Metropolis et al., J. Chem. Phys. 21 (1953) 1087):
///   `phi' = phi + sigma xi`, accepted with probability `min(1, p(phi')/p(phi))`;
/// - `.langevin` (MALA; Roberts and Tweedie, Bernoulli 2 (1996) 341):
///   `phi' = phi + (sigma^2/2) grad log p(phi) + sigma xi`, accepted with
///   `min(1, p(phi') q(phi|phi') / (p(phi) q(phi'|phi)))`,
///   `q(b|a) ~ exp(-|b - a - (sigma^2/2) grad log p(a)|^2 / (2 sigma^2))`,
/// with `xi ~ N(0, 1)^V` and a width `sigma_c` per chain. Langevin proposals
/// follow the density's slope, so in V dimensions they need far fewer steps
/// than a random walk (acceptance scales with `sigma^2 V^{1/3}` instead of `sigma^2 V`).
/// One *sweep* is `sweep` proposals per chain; a recorded sample is the state after
/// a sweep. The widths `sigma_c` adapt toward `targetAcceptance` during
/// thermalization only (`thermalize`), never while samples are recorded, so
/// recorded samples obey detailed balance exactly.
public struct MetropolisSampler: Sendable, Equatable {
    public enum Proposal: String, Sendable, Codable {
        case randomWalk, langevin
        /// `phi'_x = phi_x + sigma xi` for one site `x`, the sites taken in order
        /// and continuing across sweeps (a sweep shorter than V must not revisit
        /// the first sites only); the density must be a `SiteLocalDensity`. A sweep of V proposals costs about what one
        /// all-site proposal costs for a dense network.
        case singleSite
    }

    /// How a chain proposes its next field.
    public var proposal: Proposal
    /// Number of independent chains.
    public var chains: Int
    /// Proposals per chain between recorded samples.
    public var sweep: Int
    /// Acceptance rate the widths adapt toward during thermalization.
    public var targetAcceptance: Double

    public init(proposal: Proposal = .randomWalk, chains: Int, sweep: Int, targetAcceptance: Double = 0.5) {
        precondition(chains >= 1 && sweep >= 1 && targetAcceptance > 0 && targetAcceptance < 1)
        self.proposal = proposal
        self.chains = chains
        self.sweep = sweep
        self.targetAcceptance = targetAcceptance
    }

    /// Chains started at independent `N(0, initialSpread^2)` fields, each with its own
    /// random stream `(seed, chain)`; `refresh(_:state:)` must be called before sampling.
    public func initialState(sites: Int, seed: UInt64, initialSpread: Double = 1) -> SamplerState {
        var random = (0..<chains).map { RandomSource(seed: seed, stream: UInt64($0)) }
        var fields = FieldBatch(rows: chains, columns: sites)
        for c in 0..<chains {
            for x in 0..<sites { fields[c, x] = initialSpread * random[c].normal() }
        }
        return SamplerState(
            fields: fields, logDensity: [Double](repeating: -.infinity, count: chains),
            gradient: FieldBatch(rows: 0, columns: sites),
            // A move of all V sites must be ~1/sqrt(V) times smaller than one of a single site.
            stepSize: [Double](repeating: proposal == .singleSite ? 1 : 1 / Double(sites).squareRoot(), count: chains),
            random: random, accepted: 0, proposed: 0)
    }

    /// Recomputes what the chains keep of `density` (after it changed).
    public func refresh<D: LogDensity>(_ state: inout SamplerState, density: D) {
        state.refresh(density, withGradient: proposal == .langevin)
    }

    /// Runs `sweeps` sweeps without recording, adapting each chain's width after
    /// every sweep by `log sigma += gain (acceptance - target)` with a gain that
    /// decays as `1/sqrt(n)` (Robbins–Monro), so the widths settle. `stop` is
    /// asked every `stopInterval` sweeps (the adaptation depends on `n` alone, so
    /// the blocks do not change the numbers); on a stop `state` is left part-way.
    public func thermalize<D: LogDensity>(
        _ state: inout SamplerState, density: D, sweeps: Int, stop: StopCheck = .never
    ) throws {
        var done = 0
        while done < sweeps {
            try stop.check()
            let block = done..<min(sweeps, done + Self.stopInterval)
            inParallel(&state) { part in
                for n in block {
                    let accepted = runSweep(&part, density: density)
                    let gain = 1 / Double(n + 1).squareRoot()
                    for c in 0..<part.chains {
                        let rate = Double(accepted[c]) / Double(sweep)
                        part.stepSize[c] *= exp(gain * (rate - targetAcceptance))
                    }
                }
            }
            done = block.upperBound
        }
    }

    /// Sweeps between stop checks and between reassemblies of the chains.
    static let stopInterval = 16

    /// Runs `sweeps` sweeps with fixed widths, calling `record` with the chains'
    /// fields (`chains x V`) and log densities after each.
    public func sample<D: LogDensity>(
        _ state: inout SamplerState, density: D, sweeps: Int,
        record: (FieldBatch, [Double]) throws -> Void
    ) rethrows {
        // The chains run in parallel groups for blocks of sweeps; each block's
        // sweeps are then reassembled (all chains, in order) and recorded.
        let block = Self.stopInterval
        var done = 0
        while done < sweeps {
            let count = min(block, sweeps - done)
            let sweepsOfGroup = inParallel(&state) { part in
                (0..<count).map { _ in
                    _ = runSweep(&part, density: density)
                    return part
                }
            }
            for s in 0..<count {
                var whole = SamplerState.empty(sites: state.fields.columns)
                whole.join(sweepsOfGroup.map { $0[s] })
                try record(whole.fields, whole.logDensity)
            }
            done += count
        }
    }

    /// Runs `body` on the chains split into `threadCount` groups, one thread per
    /// group, joins the groups back and returns their results in order. Chains are
    /// independent (each has its own random stream), so nothing depends on the split.
    @discardableResult
    private func inParallel<Result>(
        _ state: inout SamplerState, _ body: (inout SamplerState) -> Result
    ) -> [Result] {
        var parts = evenSplit(state.chains, parts: threadCount).map { state.chains($0) }
        let results = parts.withUnsafeMutableBufferPointer { p in parallelMap(p.count) { body(&p[$0]) } }
        var joined = SamplerState.empty(sites: state.fields.columns)
        (joined.accepted, joined.proposed) = (state.accepted, state.proposed)
        joined.join(parts)
        state = joined
        return results
    }

    /// One sweep; returns the number of accepted proposals per chain.
    private func runSweep<D: LogDensity>(_ state: inout SamplerState, density: D) -> [Int] {
        if proposal == .singleSite {
            guard let local = density as? any SiteLocalDensity else {
                preconditionFailure("single-site proposals need a SiteLocalDensity")
            }
            return runSiteSweep(&state, density: local)
        }
        let v = state.fields.siteCount
        let langevin = proposal == .langevin
        var accepted = [Int](repeating: 0, count: state.chains)
        var proposed = state.fields
        var noise = FieldBatch(rows: state.chains, columns: v)
        for _ in 0..<sweep {
            // phi' = phi + (sigma^2/2) grad log p(phi) [Langevin only] + sigma xi.
            proposed.storage.withUnsafeMutableBufferPointer { p in
                noise.storage.withUnsafeMutableBufferPointer { xi in
                    state.fields.storage.withUnsafeBufferPointer { current in
                        state.gradient.storage.withUnsafeBufferPointer { g in
                            for c in 0..<state.chains {
                                let row = c * v
                                state.random[c].fillNormal(UnsafeMutableBufferPointer(rebasing: xi[row..<(row + v)]))
                                let sigma = state.stepSize[c], drift = langevin ? sigma * sigma / 2 : 0
                                for x in 0..<v {
                                    p[row + x] = current[row + x] + sigma * xi[row + x] + (langevin ? drift * g[row + x] : 0)
                                }
                            }
                        }
                    }
                }
            }
            let (logP, gradient) = langevin
                ? density.logDensityAndGradient(proposed)
                : (density.logDensity(proposed), FieldBatch(rows: 0, columns: v))
            for c in 0..<state.chains {
                let row = c * v
                var logRatio = logP[c] - state.logDensity[c]
                if langevin {
                    // log q(phi|phi') - log q(phi'|phi); the forward move's residual is sigma xi.
                    let sigma = state.stepSize[c], drift = sigma * sigma / 2
                    var backward = 0.0, forward = 0.0
                    for x in 0..<v {
                        let r = state.fields.storage[row + x] - proposed.storage[row + x] - drift * gradient.storage[row + x]
                        backward += r * r
                        forward += noise.storage[row + x] * noise.storage[row + x]
                    }
                    logRatio += -backward / (2 * sigma * sigma) + forward / 2
                }
                // log u < log ratio with u in (0, 1]; a NaN proposal is never accepted.
                let u = 1 - state.random[c].uniform()
                if log(u) < logRatio {
                    accepted[c] += 1
                    state.logDensity[c] = logP[c]
                    state.fields.storage.replaceSubrange(row..<(row + v), with: proposed.storage[row..<(row + v)])
                    if langevin {
                        state.gradient.storage.replaceSubrange(row..<(row + v), with: gradient.storage[row..<(row + v)])
                    }
                }
            }
        }
        state.accepted += accepted.reduce(0, +)
        state.proposed += state.chains * sweep
        return accepted
    }

    /// One sweep of single-site proposals, `log p` changes from the density's cache
    /// (rebuilt at the start of the sweep, so rounding cannot accumulate across
    /// sweeps); the chains' `log p` is re-evaluated in full at the end.
    private func runSiteSweep<D: SiteLocalDensity>(_ state: inout SamplerState, density: D) -> [Int] {
        let v = state.fields.siteCount, chains = state.chains
        var cache = density.siteCache(state.fields)
        var accepted = [Int](repeating: 0, count: chains)
        var deltas = [Double](repeating: 0, count: chains)
        var moved = [Bool](repeating: false, count: chains)
        for _ in 0..<sweep {
            let site = state.siteCursor ?? 0
            state.siteCursor = (site + 1) % v
            for c in 0..<chains { deltas[c] = state.stepSize[c] * state.random[c].normal() }
            let change = density.proposeSiteChange(&cache, fields: state.fields, site: site, deltas: deltas)
            for c in 0..<chains {
                // log u < log ratio with u in (0, 1]; a NaN change is never accepted.
                moved[c] = log(1 - state.random[c].uniform()) < change[c]
            }
            density.acceptSiteChange(&cache, site: site, deltas: deltas, accepted: moved)
            for c in 0..<chains where moved[c] {
                accepted[c] += 1
                state.fields[c, site] += deltas[c]
            }
        }
        state.logDensity = density.logDensity(state.fields)
        state.accepted += accepted.reduce(0, +)
        state.proposed += chains * sweep
        return accepted
    }
}
