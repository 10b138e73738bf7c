import Lattice
import NeuralAnsatz
import Sampling

/// The Born probability `|psi|^2` of a wavefunction, `log p = 2 log psi`, as a
/// density for the samplers.
public struct BornDensity<Model: WavefunctionModel>: LogDensity {
    public let model: Model

    public init(_ model: Model) { self.model = model }

    public func logDensity(_ fields: FieldBatch) -> [Double] {
        model.logPsi(fields).map { 2 * $0 }
    }

    public func logDensityAndGradient(_ fields: FieldBatch) -> (values: [Double], gradient: FieldBatch) {
        var (value, gradient) = model.logPsiAndGradient(fields)
        for i in gradient.storage.indices { gradient.storage[i] *= 2 }
        return (value.map { 2 * $0 }, gradient)
    }
}

/// The model's single-site cache, with the floors of `log psi` (half those of
/// `log p`) kept so that a proposal round allocates nothing.
public struct BornSiteCache<ModelCache: Sendable>: Sendable {
    var model: ModelCache
    var floors: [Double] = []
}

extension BornDensity: SiteLocalDensity where Model: SiteLocalWavefunction {
    public func siteCache(_ fields: FieldBatch) -> BornSiteCache<Model.SiteCache> {
        BornSiteCache(model: model.siteCache(fields))
    }

    /// Twice the model's change; a floor of `log p` is twice one of `log psi`
    /// (both scalings exact, so the two tests agree). Specialised for the
    /// network models (as `GaussianNetwork.proposeSiteChange` is, and for the
    /// same reason).
    @_specialize(where Model == GaussianNetwork<TailedGaussian, TranslationInvariantNetwork>)
    @_specialize(where Model == GaussianNetwork<GaussianAnsatz, TranslationInvariantNetwork>)
    @_specialize(where Model == GaussianNetwork<TailedGaussian, MultilayerPerceptron>)
    @_specialize(where Model == GaussianNetwork<GaussianAnsatz, MultilayerPerceptron>)
    public func proposeSiteChange(
        _ cache: inout BornSiteCache<Model.SiteCache>, fields: FieldBatch, site: Int, deltas: [Double],
        floors: [Double]?, into change: inout [Double]
    ) {
        for c in deltas.indices { change[c] = 0 }
        if let floors {
            if cache.floors.count != floors.count { cache.floors = floors }
            for c in floors.indices { cache.floors[c] = floors[c] / 2 }
        }
        model.proposeSiteChange(
            &cache.model, fields: fields, site: site, deltas: deltas, floors: floors == nil ? nil : cache.floors,
            adding: &change)
        for c in deltas.indices { change[c] *= 2 }
    }

    @_specialize(where Model == GaussianNetwork<TailedGaussian, TranslationInvariantNetwork>)
    @_specialize(where Model == GaussianNetwork<GaussianAnsatz, TranslationInvariantNetwork>)
    @_specialize(where Model == GaussianNetwork<TailedGaussian, MultilayerPerceptron>)
    @_specialize(where Model == GaussianNetwork<GaussianAnsatz, MultilayerPerceptron>)
    public func acceptSiteChange(_ cache: inout BornSiteCache<Model.SiteCache>, site: Int, deltas: [Double], accepted: [Bool]) {
        model.acceptSiteChange(&cache.model, site: site, deltas: deltas, accepted: accepted)
    }
}
