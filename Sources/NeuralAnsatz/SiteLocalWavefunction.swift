internal import CActivations
internal import CKernels
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
/// The cache also holds the proposals' scratch space, and a change is added into
/// the caller's array: a proposal round allocates nothing (it is the innermost
/// loop of sampling, a few microseconds).
///
/// A Metropolis test rejects a change at most its *floor* `log(1 - u)`, which
/// the sampler draws first. A model that can bound its change from above for
/// less than an evaluation skips the evaluation where the bound is at most the
/// floor: for the translation-invariant network with tanh, the first-order
/// change from the kept `sigma'` plus a bound on the second-order remainder,
/// which at widths tuned to acceptance 0.5 settles nearly every rejection
/// (`TranslationInvariantNetwork.siteChangeBounds`). Only proposals the exact
/// test rejects are skipped, so the chain is the same, step for step.
public protocol SiteLocalWavefunction: WavefunctionModel {
    associatedtype SiteCache: Sendable

    /// The cache for `fields` (`C x V`).
    func siteCache(_ fields: FieldBatch) -> SiteCache

    /// Adds `log psi(phi_c + delta_c e_site) - log psi(phi_c)` to `change[c]` for
    /// each field `c` of `fields` (the ones the cache was made or last updated for).
    /// With `floors`, where the model proves that `change[c]` would end at most
    /// `floors[c]` it may set `change[c] = -infinity` instead, without evaluating
    /// it; that proposal is not kept, and the field must not be accepted.
    func proposeSiteChange(
        _ cache: inout SiteCache, fields: FieldBatch, site: Int, deltas: [Double], floors: [Double]?,
        adding change: inout [Double])

    /// Makes the last proposal current in the cache for the fields `c` with `accepted[c]`.
    func acceptSiteChange(_ cache: inout SiteCache, site: Int, deltas: [Double], accepted: [Bool])
}

extension SiteLocalWavefunction {
    /// Every field's change, evaluated.
    public func proposeSiteChange(
        _ cache: inout SiteCache, fields: FieldBatch, site: Int, deltas: [Double], adding change: inout [Double]
    ) {
        proposeSiteChange(&cache, fields: fields, site: site, deltas: deltas, floors: nil, adding: &change)
    }
}

/// What the Gaussian keeps per field: `g = A phi`, and the real-space kernel.
public struct GaussianSiteCache: Sendable {
    /// `A phi` for each field, `C x V`.
    var field: Matrix
    /// `A_{y,0}` for each site `y` (`A` is circulant: `A_{y,x} = kernel[y - x]`).
    var kernel: [Double]
    /// Scratch for the column of `A` an accepted move adds.
    var column: [Double]
}

extension GaussianAnsatz: SiteLocalWavefunction {
    /// `A phi` by one `gradient` evaluation (`d log psi/d phi = -A phi`) and the
    /// kernel `A_{y,0} = (1/V) sum_k a_k e^{i k.y}` by one inverse FFT.
    public func siteCache(_ fields: FieldBatch) -> GaussianSiteCache {
        var g = logPsiAndGradient(fields).gradient
        for i in g.storage.indices { g.storage[i] = -g.storage[i] }
        let unit = FieldBatch(rows: 1, columns: lattice.volume, storage: (0..<lattice.volume).map { $0 == 0 ? 1 : 0 })
        let kernel = logPsiAndGradient(unit).gradient.storage.map { -$0 }  // A e_0
        return GaussianSiteCache(
            field: g, kernel: kernel, column: [Double](repeating: 0, count: lattice.volume))
    }

    /// `log psi = -phi^T A phi / 2` changes by `-(delta (A phi)_x + delta^2 A_xx / 2)`
    /// (O(1): evaluated whatever the floors).
    public func proposeSiteChange(
        _ cache: inout GaussianSiteCache, fields: FieldBatch, site: Int, deltas: [Double], floors _: [Double]?,
        adding change: inout [Double]
    ) {
        let v = lattice.volume, diagonal = cache.kernel[0]
        for c in deltas.indices {
            change[c] -= deltas[c] * cache.field.storage[c * v + site] + deltas[c] * deltas[c] * diagonal / 2
        }
    }

    /// `A phi += delta A[:, x]` for the accepted fields: the column from contiguous
    /// runs of the kernel, added at the machine's vector width, in one C call
    /// (`nqft_circulant_accept`; Swift is compiled for the baseline).
    public func acceptSiteChange(_ cache: inout GaussianSiteCache, site: Int, deltas: [Double], accepted: [Bool]) {
        let d = lattice.dimension
        lattice.extent.withUnsafeBufferPointer { extent in
            extent.withMemoryRebound(to: Int64.self) { extent in
                accepted.withUnsafeBufferPointer { flags in
                    flags.withMemoryRebound(to: UInt8.self) { flags in  // a Bool is one byte, 0 or 1
                        cache.field.storage.withUnsafeMutableBufferPointer { g in
                            cache.column.withUnsafeMutableBufferPointer { column in
                                nqft_circulant_accept(
                                    cache.kernel, extent.baseAddress!, Int64(d), Int64(site), Int64(accepted.count),
                                    deltas, flags.baseAddress!, g.baseAddress!, column.baseAddress!)
                            }
                        }
                    }
                }
            }
        }
    }
}

extension TailedGaussian: SiteLocalWavefunction {
    public func siteCache(_ fields: FieldBatch) -> GaussianSiteCache { gaussian.siteCache(fields) }

    /// The Gaussian's change plus the tail's, `-c [(phi'^2 + 1)^{3/2} - (phi^2 + 1)^{3/2}]`
    /// (O(1): evaluated whatever the floors).
    public func proposeSiteChange(
        _ cache: inout GaussianSiteCache, fields: FieldBatch, site: Int, deltas: [Double], floors _: [Double]?,
        adding change: inout [Double]
    ) {
        gaussian.proposeSiteChange(&cache, fields: fields, site: site, deltas: deltas, adding: &change)
        let c = exp(logStrength)
        for b in deltas.indices {
            let phi = fields[b, site]
            change[b] -= c * (Self.siteShape(phi + deltas[b]) - Self.siteShape(phi))
        }
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

    /// Adds `f(phi_c + delta_c e_site) - f(phi_c)` to `change[c]` for each field
    /// but those with `skipping[c]` (nil: none); the proposal is kept in the cache.
    func proposeSiteChange(
        _ cache: inout SiteCache, site: Int, deltas: [Double], parameters: [Double], skipping: [Bool]?,
        adding change: inout [Double])

    /// Adds to `bounds[c]` an upper bound on what `proposeSiteChange` would add to
    /// a number equal to `bounds[c]` (the rounding of its additions included),
    /// without evaluating the change: +infinity where the network has none (the
    /// default).
    func siteChangeBounds(
        _ cache: inout SiteCache, site: Int, deltas: [Double], parameters: [Double], adding bounds: inout [Double])

    /// Makes the last proposal current for the fields `c` with `accepted[c]`.
    func acceptSiteChange(_ cache: inout SiteCache, accepted: [Bool])
}

extension SiteLocalNetwork {
    public func siteChangeBounds(
        _ cache: inout SiteCache, site: Int, deltas: [Double], parameters: [Double], adding bounds: inout [Double]
    ) {
        for c in deltas.indices { bounds[c] = .infinity }
    }

    /// Every field's change.
    public func proposeSiteChange(
        _ cache: inout SiteCache, site: Int, deltas: [Double], parameters: [Double], adding change: inout [Double]
    ) {
        proposeSiteChange(&cache, site: site, deltas: deltas, parameters: parameters, skipping: nil, adding: &change)
    }
}

/// The scales of the translation-invariant network's single-site bound
/// (`nqft_site_bound`), fixed while the parameters are: `sup|sigma''| / 2 sum
/// |w_u| W_1[u, o]^2` (the second-order term), `sum |w_u W_1[u, o]|` and
/// `1 + K sum |w_u|` (its rounding margin's).
struct SiteBoundScales: Sendable {
    var curvature = 0.0
    var spread = 0.0
    var size = 0.0
}

/// Pre-activation rows `h_1` and the values they lead to, with a proposal's rows.
public struct PreactivationCache: Sendable {
    /// `h_1`, one row per unit of evaluation (a field, or a patch of a field).
    var rows: Matrix
    /// The network's value (or a patch's contribution) for each row.
    var values: [Double]
    /// The last proposal: which rows it changed, their new `h_1` (kept by the
    /// dense network; the translation-invariant one recomputes the accepted rows
    /// from `proposedDeltas`, which keeps a round's memory within the L1 cache)
    /// and values.
    var proposedRows: [Int] = []
    var proposed = Matrix(rows: 0, columns: 0)
    var proposedValues: [Double] = []
    var proposedDeltas: [Double] = []
    /// Scratch of the proposal's kernel (`K n_1`).
    var scratch: [Double] = []
    /// The first layer's weight column of each patch entry, one after another (the
    /// translation-invariant network's; fixed while the parameters are), so a
    /// proposal does not gather them.
    var firstLayerColumns: [Double] = []
    /// The single-site bound's state (the translation-invariant network's with
    /// one hidden layer and tanh; empty otherwise): `sigma'(h_1)` in single
    /// precision (the layout of `rows`), the last proposal's (`C K x n_1`),
    /// `w_u W_1[u, o]` offset after offset (`K n_1`), and the scales.
    var slopes: [Float] = []
    var proposedSlopes: [Float] = []
    var weightedColumns: [Double] = []
    var boundScales = SiteBoundScales()

    /// Moves the proposed rows in (the dense network's: row `c` of field `c`).
    mutating func accept(_ accepted: [Bool]) {
        let n = rows.columns
        let proposed = self.proposed
        rows.storage.withUnsafeMutableBufferPointer { h in
            proposed.storage.withUnsafeBufferPointer { q in
                for (k, row) in proposedRows.enumerated() where accepted[k] {
                    (h.baseAddress! + row * n).update(from: q.baseAddress! + k * n, count: n)
                    values[row] = proposedValues[k]
                }
            }
        }
    }

    /// The translation-invariant proposal's rows (`K` per field),
    /// `rows[proposedRows[r]] + delta_c W_1[:, r mod K]` (the general path's input).
    func shiftedRows(k: Int) -> Matrix {
        let n = rows.columns
        var shifted = Matrix(rows: proposedRows.count, columns: n)
        for r in proposedRows.indices {
            for j in 0..<n {
                shifted[r, j] = rows[proposedRows[r], j].addingProduct(proposedDeltas[r / k], firstLayerColumns[(r % k) * n + j])
            }
        }
        return shifted
    }

    /// Makes the accepted fields' proposed rows, values and slopes current, in
    /// place, with the proposal's arithmetic (`nqft_site_accept`).
    mutating func acceptShiftedRows(k: Int, accepted: [Bool]) {
        let n = rows.columns
        proposedRows.withUnsafeBufferPointer { indices in
            indices.withMemoryRebound(to: Int64.self) { indices in
                accepted.withUnsafeBufferPointer { flags in
                    flags.withMemoryRebound(to: UInt8.self) { flags in  // a Bool is one byte, 0 or 1
                        rows.storage.withUnsafeMutableBufferPointer { h in
                            values.withUnsafeMutableBufferPointer { values in
                                slopes.withUnsafeMutableBufferPointer { slopes in
                                    nqft_site_accept(
                                        Int64(accepted.count), Int64(k), Int64(n), h.baseAddress!, values.baseAddress!,
                                        slopes.isEmpty ? nil : slopes.baseAddress, indices.baseAddress!,
                                        firstLayerColumns, proposedDeltas, proposedValues, proposedSlopes,
                                        flags.baseAddress!)
                                }
                            }
                        }
                    }
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

    /// `f(h_1 + delta W_1[:, site]) - f(h_1)`, every field's (no bound: O(n_1) plus
    /// the deeper layers already).
    public func proposeSiteChange(
        _ cache: inout PreactivationCache, site: Int, deltas: [Double], parameters p: [Double], skipping _: [Bool]?,
        adding change: inout [Double]
    ) {
        let column = firstLayerColumn(site: site, parameters: p)
        let n = column.count
        var h = cache.rows
        h.storage.withUnsafeMutableBufferPointer { hp in
            for c in deltas.indices { for j in 0..<n { hp[c * n + j] += deltas[c] * column[j] } }
        }
        let f = value(firstPreactivation: h, parameters: p)
        (cache.proposedRows, cache.proposed, cache.proposedValues) = (Array(deltas.indices), h, f)
        for c in deltas.indices { change[c] += f[c] - cache.values[c] }
    }

    public func acceptSiteChange(_ cache: inout PreactivationCache, accepted: [Bool]) {
        cache.accept(accepted)
    }
}

extension TranslationInvariantNetwork: SiteLocalNetwork {
    /// `h_1` of every patch of every field (`C V x n_1`) and each patch's `g`;
    /// for a one-hidden-layer cell with tanh also `sigma'(h_1)` and the bound's
    /// scales.
    public func siteCache(_ fields: FieldBatch, parameters p: [Double]) -> PreactivationCache {
        let h = cell.firstPreactivation(patches(fields), parameters: p)
        var cache = PreactivationCache(rows: h, values: cell.value(firstPreactivation: h, parameters: p))
        cache.firstLayerColumns = (0..<patchSize).flatMap { cell.firstLayerColumn(site: $0, parameters: p) }
        if cell.hidden.count == 1, let curvature = cell.activation.boundedCurvature {
            let n = h.columns, k = patchSize, w = Array(p[cell.outputWeights]), columns = cache.firstLayerColumns
            var values = h.storage
            var (first, second) = ([Double](repeating: 0, count: values.count), [Double](repeating: 0, count: values.count))
            values.withUnsafeMutableBufferPointer { v in
                first.withUnsafeMutableBufferPointer { d1 in
                    second.withUnsafeMutableBufferPointer { cell.activation.apply(to: v, first: d1, second: $0) }
                }
            }
            cache.slopes = first.map { Float($0) }
            cache.weightedColumns = (0..<(k * n)).map { w[$0 % n] * columns[$0] }
            let squares = (0..<(k * n)).reduce(0.0) { $0 + abs(w[$1 % n]) * columns[$1] * columns[$1] }
            cache.boundScales = SiteBoundScales(
                curvature: curvature / 2 * squares, spread: cache.weightedColumns.reduce(0) { $0 + abs($1) },
                size: 1 + Double(k) * w.reduce(0) { $0 + abs($1) })
        }
        return cache
    }

    /// The `K` patches that contain `site` (entry `o` of the patch at `site - o`).
    private func patches<R>(containing site: Int, _ body: (UnsafeBufferPointer<Int>) -> R) -> R {
        let k = patchSize
        return patchContaining.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[(site * k)..<(site * k + k)])) }
    }

    /// First order in `delta` from the kept `sigma'` plus the second-order
    /// remainder at `sup|sigma''|` (`nqft_site_bound`): `K n_1` multiply-adds per
    /// field, against the proposal's `K n_1` activations.
    public func siteChangeBounds(
        _ cache: inout PreactivationCache, site: Int, deltas: [Double], parameters p: [Double],
        adding bounds: inout [Double]
    ) {
        guard !cache.slopes.isEmpty else {
            for c in deltas.indices { bounds[c] = .infinity }
            return
        }
        let scales = cache.boundScales
        patches(containing: site) { patches in
            patches.withMemoryRebound(to: Int64.self) { patches in
                bounds.withUnsafeMutableBufferPointer { out in
                    nqft_site_bound(
                        Int64(deltas.count), Int64(patchSize), Int64(cache.rows.columns), Int64(lattice.volume),
                        cache.slopes, patches.baseAddress!, cache.weightedColumns, deltas, scales.curvature,
                        scales.spread, scales.size, out.baseAddress!)
                }
            }
        }
    }

    /// A site is entry `o` of the patch at `site - o`, for each of the `K` offsets:
    /// those `K` patches' `h_1` move by `delta W_1[:, o]`; `f` changes by the sum of
    /// their `g` changes. One hidden layer takes the fused C loop
    /// (`MultilayerPerceptron.shiftedValues`, into the cache's proposal buffers,
    /// the skipped fields left out), deeper networks the general forward pass.
    public func proposeSiteChange(
        _ cache: inout PreactivationCache, site: Int, deltas: [Double], parameters p: [Double], skipping: [Bool]?,
        adding change: inout [Double]
    ) {
        let v = lattice.volume, k = patchSize, n = cache.rows.columns, count = deltas.count * k
        if cache.proposedRows.count != count {
            cache.proposedRows = [Int](repeating: 0, count: count)
            cache.proposedValues = [Double](repeating: 0, count: count)
            cache.proposedDeltas = deltas
            cache.proposedSlopes = [Float](repeating: 0, count: cache.slopes.isEmpty ? 0 : count * n)
            cache.scratch = [Double](repeating: 0, count: k * n)
        }
        var proposal = (
            rows: cache.proposedRows, values: cache.proposedValues, deltas: cache.proposedDeltas,
            slopes: cache.proposedSlopes
        )
        // Unshared while written.
        (cache.proposedRows, cache.proposedValues, cache.proposedDeltas, cache.proposedSlopes) = ([], [], [], [])
        defer {
            (cache.proposedRows, cache.proposedValues, cache.proposedDeltas, cache.proposedSlopes) =
                (proposal.rows, proposal.values, proposal.deltas, proposal.slopes)
        }
        let fused = patches(containing: site) { patches in
            cell.shiftedValues(
                rows: cache.rows, values: cache.values, patches: patches, volume: v, columns: cache.firstLayerColumns,
                deltas: deltas, parameters: p, skipping: skipping, proposal: &proposal, change: &change,
                scratch: &cache.scratch)
        }
        guard !fused else { return }
        for c in deltas.indices {
            proposal.deltas[c] = deltas[c]
            for o in 0..<k { proposal.rows[c * k + o] = c * v + patchContaining[site * k + o] }
        }
        cache.proposedRows = proposal.rows
        cache.proposedDeltas = proposal.deltas
        proposal.values = cell.value(firstPreactivation: cache.shiftedRows(k: k), parameters: p)
        for c in deltas.indices {
            for o in 0..<k { change[c] += proposal.values[c * k + o] - cache.values[proposal.rows[c * k + o]] }
        }
    }

    /// The accepted chains' rows move by `delta W_1[:, o]` in place (as the
    /// proposal computed them: one fused multiply-add per entry).
    public func acceptSiteChange(_ cache: inout PreactivationCache, accepted: [Bool]) {
        cache.acceptShiftedRows(k: patchSize, accepted: accepted)
    }
}

/// A network's caches for `phi` and, when symmetrised, for `-phi`; for a
/// superposition also `u` and `w` of each field and the last proposal's.
public struct NetworkSiteCache<BaseCache: Sendable, Cache: Sendable>: Sendable {
    var base: BaseCache
    var network: [Cache]
    var halves: [[Double]] = []
    var proposedHalves: [[Double]] = []
    /// Scratch: the deltas of `-phi`; the bounds on the change (on `u'` and `w'`
    /// for a superposition) and the fields they settle as rejected.
    var mirroredDeltas: [Double] = []
    var bounds: [[Double]] = []
    var skipped: [Bool] = []
}

extension GaussianNetwork: SiteLocalWavefunction where Base: SiteLocalWavefunction, Network: SiteLocalNetwork {
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
    /// With floors, the networks' bounds first (`rejections`); the fields they
    /// settle are skipped.
    ///
    /// Proposals and accepts are compiled for the four models the ansatz
    /// factory builds (`@_specialize`: the generic entry point compares the
    /// types and calls the specialised body), because the sampler calls them
    /// from generic code in other modules, where they would run unspecialised:
    /// the generic metadata lookups of a proposal round were 5-7% of a 12x12 step.
    @_specialize(where Base == TailedGaussian, Network == TranslationInvariantNetwork)
    @_specialize(where Base == GaussianAnsatz, Network == TranslationInvariantNetwork)
    @_specialize(where Base == TailedGaussian, Network == MultilayerPerceptron)
    @_specialize(where Base == GaussianAnsatz, Network == MultilayerPerceptron)
    public func proposeSiteChange(
        _ cache: inout NetworkSiteCache<Base.SiteCache, Network.SiteCache>, fields: FieldBatch, site: Int,
        deltas: [Double], floors: [Double]?, adding change: inout [Double]
    ) {
        base.proposeSiteChange(&cache.base, fields: fields, site: site, deltas: deltas, adding: &change)
        if symmetry != .none {
            if cache.mirroredDeltas.count != deltas.count { cache.mirroredDeltas = deltas }
            for c in deltas.indices { cache.mirroredDeltas[c] = -deltas[c] }
        }
        let skipping = floors.flatMap { rejections(&cache, site: site, deltas: deltas, change: change, floors: $0) }
        let parameters = networkParameters
        switch symmetry {
        case .none:
            network.proposeSiteChange(
                &cache.network[0], site: site, deltas: deltas, parameters: parameters, skipping: skipping, adding: &change)
        case .even:
            network.proposeSiteChange(
                &cache.network[0], site: site, deltas: deltas, parameters: parameters, skipping: skipping, adding: &change)
            network.proposeSiteChange(
                &cache.network[1], site: site, deltas: cache.mirroredDeltas, parameters: parameters, skipping: skipping,
                adding: &change)
        case .superposition:
            // u' = u + b delta + (f's change), w' = w - b delta + (f(-phi)'s change),
            // in buffers kept from round to round.
            shiftedHalves(&cache.proposedHalves, from: cache.halves, deltas: deltas)
            network.proposeSiteChange(
                &cache.network[0], site: site, deltas: deltas, parameters: parameters, skipping: skipping,
                adding: &cache.proposedHalves[0])
            network.proposeSiteChange(
                &cache.network[1], site: site, deltas: cache.mirroredDeltas, parameters: parameters, skipping: skipping,
                adding: &cache.proposedHalves[1])
            let (u, w, newU, newW) = (cache.halves[0], cache.halves[1], cache.proposedHalves[0], cache.proposedHalves[1])
            for c in deltas.indices { change[c] += Self.shares(newU[c], newW[c]).logSum - Self.shares(u[c], w[c]).logSum }
        }
        if let skipping { for c in deltas.indices where skipping[c] { change[c] = -.infinity } }
    }

    /// `u + b delta` and `w - b delta` into `halves` (sized once), where the
    /// networks' changes (or bounds) are added.
    private func shiftedHalves(_ halves: inout [[Double]], from current: [[Double]], deltas: [Double]) {
        if halves.count != 2 || halves[0].count != deltas.count { halves = current }
        for c in deltas.indices {
            halves[0][c] = current[0][c] + shift * deltas[c]
            halves[1][c] = current[1][c] - shift * deltas[c]
        }
    }

    /// The fields whose change, `change[c]` (the base's) plus the networks',
    /// the networks' bounds prove at most `floors[c]`, or nil for none. The
    /// bounds are combined as the changes are, every step monotone: sums
    /// (rounded addition is monotone), and `log(e^u + e^w)`, increasing in both,
    /// with a margin of 1e-12 of its size for its rounding.
    private func rejections(
        _ cache: inout NetworkSiteCache<Base.SiteCache, Network.SiteCache>, site: Int, deltas: [Double],
        change: [Double], floors: [Double]
    ) -> [Bool]? {
        let parameters = networkParameters
        if cache.skipped.count != deltas.count {
            cache.skipped = [Bool](repeating: false, count: deltas.count)
            cache.bounds = [change, change]
        }
        switch symmetry {
        case .none, .even:
            for c in deltas.indices { cache.bounds[0][c] = change[c] }
            network.siteChangeBounds(&cache.network[0], site: site, deltas: deltas, parameters: parameters, adding: &cache.bounds[0])
            if symmetry == .even {
                network.siteChangeBounds(
                    &cache.network[1], site: site, deltas: cache.mirroredDeltas, parameters: parameters,
                    adding: &cache.bounds[0])
            }
        case .superposition:
            shiftedHalves(&cache.bounds, from: cache.halves, deltas: deltas)
            network.siteChangeBounds(&cache.network[0], site: site, deltas: deltas, parameters: parameters, adding: &cache.bounds[0])
            network.siteChangeBounds(
                &cache.network[1], site: site, deltas: cache.mirroredDeltas, parameters: parameters, adding: &cache.bounds[1])
            let (u, w) = (cache.halves[0], cache.halves[1])
            for c in deltas.indices {
                let largest = Self.shares(cache.bounds[0][c], cache.bounds[1][c]).logSum
                cache.bounds[0][c] = change[c] + ((largest + 1e-12 * (1 + abs(largest))) - Self.shares(u[c], w[c]).logSum)
            }
        }
        var any = false
        for c in deltas.indices {
            cache.skipped[c] = cache.bounds[0][c] <= floors[c]
            any = any || cache.skipped[c]
        }
        return any ? cache.skipped : nil
    }

    @_specialize(where Base == TailedGaussian, Network == TranslationInvariantNetwork)
    @_specialize(where Base == GaussianAnsatz, Network == TranslationInvariantNetwork)
    @_specialize(where Base == TailedGaussian, Network == MultilayerPerceptron)
    @_specialize(where Base == GaussianAnsatz, Network == MultilayerPerceptron)
    public func acceptSiteChange(
        _ cache: inout NetworkSiteCache<Base.SiteCache, Network.SiteCache>, site: Int, deltas: [Double],
        accepted: [Bool]
    ) {
        base.acceptSiteChange(&cache.base, site: site, deltas: deltas, accepted: accepted)
        for s in cache.network.indices { network.acceptSiteChange(&cache.network[s], accepted: accepted) }
        for k in cache.halves.indices { for c in accepted.indices where accepted[c] { cache.halves[k][c] = cache.proposedHalves[k][c] } }
    }
}
