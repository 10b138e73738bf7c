import Foundation
import Lattice
import LinearAlgebra

/// A wavefunction whose change under a move of one site is much cheaper than a
/// full evaluation, for single-site Metropolis proposals: O(V) for the Gaussian
/// (one column of `A`), O(n_1) plus the deeper layers for a dense network (one
/// column of `W_1` moves the first layer's pre-activations), instead of O(V n_1).
///
/// A *cache* holds what the updates need for each of `C` fields (the chains), and
/// a proposal is kept in it until accepted, so a proposal costs one evaluation.
public protocol SiteLocalWavefunction: WavefunctionModel {
    associatedtype SiteCache: Sendable

    /// The cache for `fields` (`C x V`).
    func siteCache(_ fields: FieldBatch) -> SiteCache

    /// `log psi(phi_c + delta_c e_site) - log psi(phi_c)` for each field `c` of
    /// `fields` (the ones the cache was made or last updated for).
    func proposeSiteChange(_ cache: inout SiteCache, fields: FieldBatch, site: Int, deltas: [Double]) -> [Double]

    /// Makes the last proposal current in the cache for the fields `c` with `accepted[c]`.
    func acceptSiteChange(_ cache: inout SiteCache, site: Int, deltas: [Double], accepted: [Bool])
}

/// What the Gaussian keeps per field: `g = A phi`, and the real-space kernel.
public struct GaussianSiteCache: Sendable {
    /// `A phi` for each field, `C x V`.
    var field: Matrix
    /// `A_{y,0}` for each site `y` (`A` is circulant: `A_{y,x} = kernel[y - x]`).
    var kernel: [Double]
    /// The lattice coordinates of every site, flattened (`V x d`).
    var coordinates: [Int]
}

extension GaussianAnsatz: SiteLocalWavefunction {
    /// `A phi` by one `gradient` evaluation (`d log psi/d phi = -A phi`) and the
    /// kernel `A_{y,0} = (1/V) sum_k a_k e^{i k.y}` by one inverse FFT.
    public func siteCache(_ fields: FieldBatch) -> GaussianSiteCache {
        var g = logPsiAndGradient(fields).gradient
        for i in g.storage.indices { g.storage[i] = -g.storage[i] }
        let unit = FieldBatch(rows: 1, columns: lattice.volume, storage: (0..<lattice.volume).map { $0 == 0 ? 1 : 0 })
        let kernel = logPsiAndGradient(unit).gradient.storage.map { -$0 }  // A e_0
        return GaussianSiteCache(field: g, kernel: kernel, coordinates: (0..<lattice.volume).flatMap(lattice.coordinates(of:)))
    }

    /// `log psi = -phi^T A phi / 2` changes by `-(delta (A phi)_x + delta^2 A_xx / 2)`.
    public func proposeSiteChange(
        _ cache: inout GaussianSiteCache, fields: FieldBatch, site: Int, deltas: [Double]
    ) -> [Double] {
        let v = lattice.volume
        return deltas.indices.map { c in
            -(deltas[c] * cache.field.storage[c * v + site] + deltas[c] * deltas[c] * cache.kernel[0] / 2)
        }
    }

    /// `A phi += delta A[:, x]` for the accepted fields.
    public func acceptSiteChange(_ cache: inout GaussianSiteCache, site: Int, deltas: [Double], accepted: [Bool]) {
        guard accepted.contains(true) else { return }
        let v = lattice.volume, d = lattice.dimension
        let (extent, strides) = (lattice.extent, lattice.strides)
        // A[y, x] = kernel[y - x], the difference taken per coordinate, periodically.
        let column = (0..<v).map { y in
            var index = 0
            for mu in 0..<d {
                let difference = cache.coordinates[y * d + mu] - cache.coordinates[site * d + mu]
                index += (difference < 0 ? difference + extent[mu] : difference) * strides[mu]
            }
            return cache.kernel[index]
        }
        cache.field.storage.withUnsafeMutableBufferPointer { g in
            for c in accepted.indices where accepted[c] {
                for y in 0..<v { g[c * v + y] += deltas[c] * column[y] }
            }
        }
    }
}

extension TailedGaussian: SiteLocalWavefunction {
    public func siteCache(_ fields: FieldBatch) -> GaussianSiteCache { gaussian.siteCache(fields) }

    /// The Gaussian's change plus the tail's, `-c [(phi'^2 + 1)^{3/2} - (phi^2 + 1)^{3/2}]`.
    public func proposeSiteChange(
        _ cache: inout GaussianSiteCache, fields: FieldBatch, site: Int, deltas: [Double]
    ) -> [Double] {
        var change = gaussian.proposeSiteChange(&cache, fields: fields, site: site, deltas: deltas)
        let c = exp(logStrength)
        func tail(_ phi: Double) -> Double { let s = phi * phi + 1; return s * s.squareRoot() }
        for b in change.indices {
            let phi = fields[b, site]
            change[b] -= c * (tail(phi + deltas[b]) - tail(phi))
        }
        return change
    }

    public func acceptSiteChange(_ cache: inout GaussianSiteCache, site: Int, deltas: [Double], accepted: [Bool]) {
        gaussian.acceptSiteChange(&cache, site: site, deltas: deltas, accepted: accepted)
    }
}

/// What a dense network keeps per field: the first layer's pre-activations and
/// the network's value, for `phi` and, when symmetrised, for `-phi`.
public struct NetworkSiteCache<BaseCache: Sendable>: Sendable {
    var base: BaseCache
    /// `h_1` and `f` per sign of the field (one entry, or two when symmetrised).
    var preactivations: [Matrix]
    var values: [[Double]]
    /// The last proposal's `h_1` and `f`, per sign.
    var proposedPreactivations: [Matrix] = []
    var proposedValues: [[Double]] = []
}

extension GaussianNetwork: SiteLocalWavefunction where Base: SiteLocalWavefunction, Network == MultilayerPerceptron {
    private var signs: [Double] { symmetrized ? [1, -1] : [1] }

    public func siteCache(_ fields: FieldBatch) -> NetworkSiteCache<Base.SiteCache> {
        let h = signs.map { sign in
            network.firstPreactivation(sign > 0 ? fields : negated(fields), parameters: networkParameters)
        }
        return NetworkSiteCache(
            base: base.siteCache(fields), preactivations: h,
            values: h.map { network.value(firstPreactivation: $0, parameters: networkParameters) })
    }

    /// The base's change plus `f(h_1 + delta W_1[:, x]) - f(h_1)` (and the same
    /// for `-phi`, whose `h_1` moves by `-delta W_1[:, x]`).
    public func proposeSiteChange(
        _ cache: inout NetworkSiteCache<Base.SiteCache>, fields: FieldBatch, site: Int, deltas: [Double]
    ) -> [Double] {
        var change = base.proposeSiteChange(&cache.base, fields: fields, site: site, deltas: deltas)
        let column = network.firstLayerColumn(site: site, parameters: networkParameters)
        let n = column.count
        cache.proposedPreactivations = []
        cache.proposedValues = []
        for (s, sign) in signs.enumerated() {
            var h = cache.preactivations[s]
            h.storage.withUnsafeMutableBufferPointer { hp in
                for c in deltas.indices {
                    let step = sign * deltas[c]
                    for j in 0..<n { hp[c * n + j] += step * column[j] }
                }
            }
            let f = network.value(firstPreactivation: h, parameters: networkParameters)
            for c in change.indices { change[c] += f[c] - cache.values[s][c] }
            cache.proposedPreactivations.append(h)
            cache.proposedValues.append(f)
        }
        return change
    }

    public func acceptSiteChange(
        _ cache: inout NetworkSiteCache<Base.SiteCache>, site: Int, deltas: [Double], accepted: [Bool]
    ) {
        base.acceptSiteChange(&cache.base, site: site, deltas: deltas, accepted: accepted)
        for s in cache.preactivations.indices {
            let n = cache.preactivations[s].columns
            let proposed = cache.proposedPreactivations[s]
            cache.preactivations[s].storage.withUnsafeMutableBufferPointer { h in
                proposed.storage.withUnsafeBufferPointer { q in
                    for c in accepted.indices where accepted[c] {
                        (h.baseAddress! + c * n).update(from: q.baseAddress! + c * n, count: n)
                    }
                }
            }
            for c in accepted.indices where accepted[c] { cache.values[s][c] = cache.proposedValues[s][c] }
        }
    }
}
