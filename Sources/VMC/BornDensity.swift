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

extension BornDensity: SiteLocalDensity where Model: SiteLocalWavefunction {
    public func siteCache(_ fields: FieldBatch) -> Model.SiteCache { model.siteCache(fields) }

    /// Twice the model's change. Specialised for the network models (as
    /// `GaussianNetwork.proposeSiteChange` is, and for the same reason).
    @_specialize(where Model == GaussianNetwork<TailedGaussian, TranslationInvariantNetwork>)
    @_specialize(where Model == GaussianNetwork<GaussianAnsatz, TranslationInvariantNetwork>)
    @_specialize(where Model == GaussianNetwork<TailedGaussian, MultilayerPerceptron>)
    @_specialize(where Model == GaussianNetwork<GaussianAnsatz, MultilayerPerceptron>)
    public func proposeSiteChange(
        _ cache: inout Model.SiteCache, fields: FieldBatch, site: Int, deltas: [Double], into change: inout [Double]
    ) {
        for c in deltas.indices { change[c] = 0 }
        model.proposeSiteChange(&cache, fields: fields, site: site, deltas: deltas, adding: &change)
        for c in deltas.indices { change[c] *= 2 }
    }

    @_specialize(where Model == GaussianNetwork<TailedGaussian, TranslationInvariantNetwork>)
    @_specialize(where Model == GaussianNetwork<GaussianAnsatz, TranslationInvariantNetwork>)
    @_specialize(where Model == GaussianNetwork<TailedGaussian, MultilayerPerceptron>)
    @_specialize(where Model == GaussianNetwork<GaussianAnsatz, MultilayerPerceptron>)
    public func acceptSiteChange(_ cache: inout Model.SiteCache, site: Int, deltas: [Double], accepted: [Bool]) {
        model.acceptSiteChange(&cache, site: site, deltas: deltas, accepted: accepted)
    }
}
