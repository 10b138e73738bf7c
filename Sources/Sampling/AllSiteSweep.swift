import Foundation
import Lattice

extension MetropolisHastings {
    /// One sweep of proposals that move every site at once, for `chains x V`
    /// fields with widths `sigma_c` and `xi ~ N(0, 1)^V`:
    /// - random walk: `phi' = phi + sigma xi`, accepted with `min(1, p(phi')/p(phi))`;
    /// - Langevin (`langevin`): `phi' = phi + (sigma^2/2) grad log p(phi) + sigma xi`,
    ///   accepted with `min(1, p(phi') q(phi|phi') / (p(phi) q(phi'|phi)))`,
    ///   `q(b|a) ~ exp(-|b - a - (sigma^2/2) grad log p(a)|^2 / (2 sigma^2))`.
    func allSiteSweep(_ state: inout SamplerState, density: Density, langevin: Bool) -> [Int] {
        let v = state.fields.siteCount, sweep = settings.sweep
        var accepted = [Int](repeating: 0, count: state.chains)
        var proposed = state.fields
        var noise = FieldBatch(rows: state.chains, columns: v)
        for _ in 0..<sweep {
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
                if accepts(logRatio, &state.random[c]) {
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
}
