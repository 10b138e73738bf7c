import Foundation
import Lattice
import LinearAlgebra

/// A wavefunction whose change under a move of one site is much cheaper than a
/// full evaluation, for single-site Metropolis proposals: O(V) for the Gaussian
/// (one column of `A`), O(n_1) plus the deeper layers for a dense network (one
/// column of `W_1` moves the first layer's pre-activations) instead of O(V n_1),
/// and the K patches that contain the site for the translation-invariant network
/// instead of all V.
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
    /// The coordinates of every site (`V x d`, row-major), so a column of `A` needs
    /// no divisions.
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
        return GaussianSiteCache(field: g, kernel: kernel, coordinates: (0..<lattice.volume).flatMap(lattice.coordinates))
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
        var column = [Double](repeating: 0, count: v)
        cache.coordinates.withUnsafeBufferPointer { c in
            let x = c.baseAddress! + site * d
            for y in 0..<v {
                var index = 0
                for mu in 0..<d {
                    let difference = c[y * d + mu] - x[mu]
                    index += (difference < 0 ? difference + extent[mu] : difference) * strides[mu]
                }
                column[y] = cache.kernel[index]
            }
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
        for b in change.indices {
            let phi = fields[b, site]
            change[b] -= c * (Self.siteShape(phi + deltas[b]) - Self.siteShape(phi))
        }
        return change
    }

    public func acceptSiteChange(_ cache: inout GaussianSiteCache, site: Int, deltas: [Double], accepted: [Bool]) {
        gaussian.acceptSiteChange(&cache, site: site, deltas: deltas, accepted: accepted)
    }
}

/// A network whose change under a move of one site is cheap: the first layer's
/// pre-activations move along one column of its weights, and only the units
/// they feed need re-evaluating.
public protocol SiteLocalNetwork: FieldNetwork {
    associatedtype SiteCache: Sendable

    /// The cache for `fields` (`C x V`).
    func siteCache(_ fields: FieldBatch, parameters: [Double]) -> SiteCache

    /// `f(phi_c + delta_c e_site) - f(phi_c)` for each field; the proposal is kept in the cache.
    func proposeSiteChange(_ cache: inout SiteCache, site: Int, deltas: [Double], parameters: [Double]) -> [Double]

    /// Makes the last proposal current for the fields `c` with `accepted[c]`.
    func acceptSiteChange(_ cache: inout SiteCache, accepted: [Bool])
}

/// Pre-activation rows `h_1` and the values they lead to, with a proposal's rows.
public struct PreactivationCache: Sendable {
    /// `h_1`, one row per unit of evaluation (a field, or a patch of a field).
    var rows: Matrix
    /// The network's value (or a patch's contribution) for each row.
    var values: [Double]
    /// The last proposal: which rows it changed, their new `h_1` and values.
    var proposedRows: [Int] = []
    var proposed = Matrix(rows: 0, columns: 0)
    var proposedValues: [Double] = []
    /// The first layer's weight column of each patch entry, one after another (the
    /// translation-invariant network's; fixed while the parameters are), so a
    /// proposal does not gather them.
    var firstLayerColumns: [Double] = []

    /// Moves the proposed rows in; `owner(k)` is the field proposed row `k` belongs to.
    mutating func accept(_ accepted: [Bool], owner: (Int) -> Int) {
        let n = rows.columns
        let proposed = self.proposed
        rows.storage.withUnsafeMutableBufferPointer { h in
            proposed.storage.withUnsafeBufferPointer { q in
                for (k, row) in proposedRows.enumerated() where accepted[owner(k)] {
                    (h.baseAddress! + row * n).update(from: q.baseAddress! + k * n, count: n)
                    values[row] = proposedValues[k]
                }
            }
        }
    }
}

extension MultilayerPerceptron: SiteLocalNetwork {
    public func siteCache(_ fields: FieldBatch, parameters p: [Double]) -> PreactivationCache {
        let h = firstPreactivation(fields, parameters: p)
        return PreactivationCache(rows: h, values: value(firstPreactivation: h, parameters: p))
    }

    /// `f(h_1 + delta W_1[:, site]) - f(h_1)`.
    public func proposeSiteChange(
        _ cache: inout PreactivationCache, site: Int, deltas: [Double], parameters p: [Double]
    ) -> [Double] {
        let column = firstLayerColumn(site: site, parameters: p)
        let n = column.count
        var h = cache.rows
        h.storage.withUnsafeMutableBufferPointer { hp in
            for c in deltas.indices { for j in 0..<n { hp[c * n + j] += deltas[c] * column[j] } }
        }
        let f = value(firstPreactivation: h, parameters: p)
        (cache.proposedRows, cache.proposed, cache.proposedValues) = (Array(deltas.indices), h, f)
        return deltas.indices.map { f[$0] - cache.values[$0] }
    }

    public func acceptSiteChange(_ cache: inout PreactivationCache, accepted: [Bool]) {
        cache.accept(accepted) { $0 }
    }
}

extension TranslationInvariantNetwork: SiteLocalNetwork {
    /// `h_1` of every patch of every field (`C V x n_1`) and each patch's `g`.
    public func siteCache(_ fields: FieldBatch, parameters p: [Double]) -> PreactivationCache {
        let h = cell.firstPreactivation(patches(fields), parameters: p)
        var cache = PreactivationCache(rows: h, values: cell.value(firstPreactivation: h, parameters: p))
        cache.firstLayerColumns = (0..<patchSize).flatMap { cell.firstLayerColumn(site: $0, parameters: p) }
        return cache
    }

    /// A site is entry `o` of the patch at `site - o`, for each of the `K` offsets:
    /// those `K` patches' `h_1` move by `delta W_1[:, o]`; `f` changes by the sum of
    /// their `g` changes. One hidden layer takes the fused C loop
    /// (`MultilayerPerceptron.shiftedValues`), deeper networks the general forward pass.
    public func proposeSiteChange(
        _ cache: inout PreactivationCache, site: Int, deltas: [Double], parameters p: [Double]
    ) -> [Double] {
        let v = lattice.volume, k = patchSize, n = cache.rows.columns
        let rows = deltas.indices.flatMap { c in (0..<k).map { c * v + patchContaining[site * k + $0] } }
        let h: Matrix, g: [Double]
        if let fused = cell.shiftedValues(
            rows: cache.rows, rowIndices: rows, k: k, columns: cache.firstLayerColumns, deltas: deltas,
            parameters: p)
        {
            (h, g) = fused
        } else {
            var shifted = Matrix(rows: deltas.count * k, columns: n)
            shifted.storage.withUnsafeMutableBufferPointer { out in
                cache.rows.storage.withUnsafeBufferPointer { current in
                    cache.firstLayerColumns.withUnsafeBufferPointer { columns in
                        for (r, row) in rows.enumerated() {
                            let (target, source, delta) = (out.baseAddress! + r * n, current.baseAddress! + row * n, deltas[r / k])
                            let w = columns.baseAddress! + (r % k) * n
                            for j in 0..<n { target[j] = source[j] + delta * w[j] }
                        }
                    }
                }
            }
            (h, g) = (shifted, cell.value(firstPreactivation: shifted, parameters: p))
        }
        (cache.proposedRows, cache.proposed, cache.proposedValues) = (rows, h, g)
        return deltas.indices.map { c in (0..<k).reduce(0) { $0 + g[c * k + $1] - cache.values[rows[c * k + $1]] } }
    }

    public func acceptSiteChange(_ cache: inout PreactivationCache, accepted: [Bool]) {
        let k = patchSize
        cache.accept(accepted) { $0 / k }
    }
}

/// A network's caches for `phi` and, when symmetrised, for `-phi`; for a
/// superposition also `u` and `w` of each field and the last proposal's.
public struct NetworkSiteCache<BaseCache: Sendable, Cache: Sendable>: Sendable {
    var base: BaseCache
    var network: [Cache]
    var halves: [[Double]] = []
    var proposedHalves: [[Double]] = []
}

extension GaussianNetwork: SiteLocalWavefunction where Base: SiteLocalWavefunction, Network: SiteLocalNetwork {
    private var signs: [Double] { symmetry == .none ? [1] : [1, -1] }

    public func siteCache(_ fields: FieldBatch) -> NetworkSiteCache<Base.SiteCache, Network.SiteCache> {
        var cache = NetworkSiteCache(
            base: base.siteCache(fields),
            network: signs.map { network.siteCache($0 > 0 ? fields : negated(fields), parameters: networkParameters) })
        if symmetry == .superposition {
            let m = Self.fieldSums(fields)
            let f = network.value(fields, parameters: networkParameters)
            let g = network.value(negated(fields), parameters: networkParameters)
            cache.halves = [zip(f, m).map { $0 + shift * $1 }, zip(g, m).map { $0 - shift * $1 }]
        }
        return cache
    }

    /// The base's change plus the network's at `phi` (and at `-phi`, which moves
    /// by `-delta`): summed (even), or through `log(e^u + e^w)` (superposition).
    public func proposeSiteChange(
        _ cache: inout NetworkSiteCache<Base.SiteCache, Network.SiteCache>, fields: FieldBatch, site: Int,
        deltas: [Double]
    ) -> [Double] {
        var change = base.proposeSiteChange(&cache.base, fields: fields, site: site, deltas: deltas)
        let parts = signs.enumerated().map { s, sign in
            network.proposeSiteChange(&cache.network[s], site: site, deltas: deltas.map { sign * $0 }, parameters: networkParameters)
        }
        guard symmetry == .superposition else {
            for part in parts { for c in change.indices { change[c] += part[c] } }
            return change
        }
        let u = cache.halves[0], w = cache.halves[1]
        let newU = deltas.indices.map { u[$0] + parts[0][$0] + shift * deltas[$0] }
        let newW = deltas.indices.map { w[$0] + parts[1][$0] - shift * deltas[$0] }
        for c in change.indices { change[c] += Self.shares(newU[c], newW[c]).logSum - Self.shares(u[c], w[c]).logSum }
        cache.proposedHalves = [newU, newW]
        return change
    }

    public func acceptSiteChange(
        _ cache: inout NetworkSiteCache<Base.SiteCache, Network.SiteCache>, site: Int, deltas: [Double],
        accepted: [Bool]
    ) {
        base.acceptSiteChange(&cache.base, site: site, deltas: deltas, accepted: accepted)
        for s in cache.network.indices { network.acceptSiteChange(&cache.network[s], accepted: accepted) }
        for k in cache.halves.indices { for c in accepted.indices where accepted[c] { cache.halves[k][c] = cache.proposedHalves[k][c] } }
    }
}
