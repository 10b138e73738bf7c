import Foundation
import Lattice
import LinearAlgebra
import Statistics

/// Random-walk Metropolis sampling of a density over lattice fields, many chains
/// in lock step (Metropolis et al., J. Chem. Phys. 21 (1953) 1087).
///
/// A proposal moves every site of a chain at once, `phi' = phi + sigma_c xi` with
/// `xi ~ N(0, 1)^V`, and is accepted with probability `min(1, p(phi')/p(phi))`.
/// One *sweep* is `sweep` proposals per chain; a recorded sample is the state after
/// a sweep. The widths `sigma_c` adapt toward `targetAcceptance` during
/// thermalization only (`thermalize`), never while samples are recorded, so
/// recorded samples obey detailed balance exactly.
public struct MetropolisSampler: Sendable, Equatable {
    /// Number of independent chains.
    public var chains: Int
    /// Proposals per chain between recorded samples.
    public var sweep: Int
    /// Acceptance rate the widths adapt toward during thermalization.
    public var targetAcceptance: Double

    public init(chains: Int, sweep: Int, targetAcceptance: Double = 0.5) {
        precondition(chains >= 1 && sweep >= 1 && targetAcceptance > 0 && targetAcceptance < 1)
        self.chains = chains
        self.sweep = sweep
        self.targetAcceptance = targetAcceptance
    }

    /// Chains started at independent `N(0, initialSpread^2)` fields, each with its own
    /// random stream `(seed, chain)`; `refresh` must be called before sampling.
    public func initialState(sites: Int, seed: UInt64, initialSpread: Double = 1) -> SamplerState {
        var random = (0..<chains).map { RandomSource(seed: seed, stream: UInt64($0)) }
        var fields = FieldBatch(rows: chains, columns: sites)
        for c in 0..<chains {
            for x in 0..<sites { fields[c, x] = initialSpread * random[c].normal() }
        }
        return SamplerState(
            fields: fields, logDensity: [Double](repeating: -.infinity, count: chains),
            stepSize: [Double](repeating: 1 / Double(sites).squareRoot(), count: chains),
            random: random, accepted: 0, proposed: 0)
    }

    /// Runs `sweeps` sweeps without recording, adapting each chain's width after
    /// every sweep by `log sigma += gain (acceptance - target)` with a gain that
    /// decays as `1/sqrt(n)` (Robbins–Monro), so the widths settle.
    public func thermalize<D: LogDensity>(_ state: inout SamplerState, density: D, sweeps: Int) {
        for n in 0..<sweeps {
            let accepted = runSweep(&state, density: density)
            let gain = 1 / Double(n + 1).squareRoot()
            for c in 0..<chains {
                let rate = Double(accepted[c]) / Double(sweep)
                state.stepSize[c] *= exp(gain * (rate - targetAcceptance))
            }
        }
    }

    /// Runs `sweeps` sweeps with fixed widths, calling `record` with the chains'
    /// fields (`chains x V`) and log densities after each.
    public func sample<D: LogDensity>(
        _ state: inout SamplerState, density: D, sweeps: Int,
        record: (FieldBatch, [Double]) throws -> Void
    ) rethrows {
        for _ in 0..<sweeps {
            _ = runSweep(&state, density: density)
            try record(state.fields, state.logDensity)
        }
    }

    /// One sweep; returns the number of accepted proposals per chain.
    private func runSweep<D: LogDensity>(_ state: inout SamplerState, density: D) -> [Int] {
        let v = state.fields.siteCount
        var accepted = [Int](repeating: 0, count: chains)
        var proposal = state.fields
        var noise = [Double](repeating: 0, count: v)
        for _ in 0..<sweep {
            proposal.storage.withUnsafeMutableBufferPointer { p in
                state.fields.storage.withUnsafeBufferPointer { current in
                    noise.withUnsafeMutableBufferPointer { xi in
                        for c in 0..<chains {
                            state.random[c].fillNormal(xi)
                            let sigma = state.stepSize[c], row = c * v
                            for x in 0..<v { p[row + x] = current[row + x] + sigma * xi[x] }
                        }
                    }
                }
            }
            let logP = density.logDensity(proposal)
            for c in 0..<chains {
                // log u < log p' - log p, with u in (0, 1]; a NaN proposal is never accepted.
                let u = 1 - state.random[c].uniform()
                if log(u) < logP[c] - state.logDensity[c] {
                    accepted[c] += 1
                    state.logDensity[c] = logP[c]
                    let row = c * v
                    state.fields.storage.replaceSubrange(row..<(row + v), with: proposal.storage[row..<(row + v)])
                }
            }
        }
        state.accepted += accepted.reduce(0, +)
        state.proposed += chains * sweep
        return accepted
    }
}
