import FourierTransform
import Lattice
import NeuralAnsatz
import SimulationConfig
import Statistics

/// One kind of ansatz (`ansatz.kind`): how a config builds its model, what the
/// model costs, what it supports. Adding an ansatz is one file with a type
/// conforming to this, its case in `AnsatzKind` (the config key) and its line in
/// `AnsatzKind.factory`.
protocol AnsatzFactory {
    /// Whether the model changes cheaply under a one-site move (`SiteLocalWavefunction`),
    /// so `sampler.kind: single-site` can sample it.
    static var supportsSingleSite: Bool { get }

    /// The model's size for the memory estimate, in floating point (a config may
    /// ask for sizes whose product overflows an integer).
    static func size(_ configuration: GroundStateConfiguration) -> AnsatzSize

    /// Builds the model the config describes and hands it, with its concrete
    /// type, to `consumer`.
    static func build<Consumer: ModelConsumer>(_ context: AnsatzContext, into consumer: Consumer) throws -> Consumer.Output
}

/// What a factory needs to build a model.
struct AnsatzContext {
    let configuration: GroundStateConfiguration
    let theory: ScalarTheory
    let fft: RealFFT

    var lattice: Lattice { theory.lattice }

    /// The plain Gaussian every ansatz starts from.
    var gaussian: GaussianAnsatz {
        GaussianAnsatz(lattice: lattice, fft: fft, initialFrequency: configuration.ansatz.initialFrequency)
    }
}

/// A model's size as the memory estimate counts it.
struct AnsatzSize {
    /// Variational parameters beyond the Gaussian's.
    var networkParameters = 0.0
    /// Doubles per sample in one chunk of a network's forward and backward passes.
    var scratchPerSample = 0.0
    /// Doubles per sample of the factored log-derivatives that conjugate-gradient
    /// SR keeps (nil: the explicit N x P matrix).
    var factoredLogDerivativesPerSample: Double?
}

/// Receives a model with its concrete type (Swift has no generic closures).
/// Overload resolution picks the site-local requirement for a model that
/// supports single-site proposals, so no capability is ever checked by a cast.
protocol ModelConsumer {
    associatedtype Output
    /// A model that every sampler can sample.
    func consume<Model: SiteLocalWavefunction>(_ model: Model) throws -> Output
    /// A model without single-site updates (its factory says so, and
    /// validation refuses `sampler.kind: single-site` for it).
    func consume<Model: WavefunctionModel>(_ model: Model) throws -> Output
}

extension AnsatzKind {
    /// The factory for each `ansatz.kind`.
    var factory: any AnsatzFactory.Type {
        switch self {
        case .gaussian: return GaussianFactory.self
        case .gaussianMLP: return GaussianMLPFactory.self
        case .symmetric: return SymmetricNetworkFactory.self
        }
    }
}

extension AnsatzContext {
    /// The network's activation and initial weights' stream (apart from the chains').
    var activation: Activation {
        Activation(rawValue: (configuration.ansatz.activation ?? .tanh).rawValue) ?? .tanh
    }

    /// The Gaussian (with the |phi|^3 tail when configured) times `exp(network)`,
    /// the network's weights drawn from their own random stream.
    func gaussianTimes<Network: SiteLocalNetwork, Consumer: ModelConsumer>(
        _ network: Network, initialParameters: (inout RandomSource) -> [Double], into consumer: Consumer
    ) throws -> Consumer.Output {
        var random = RandomSource(seed: configuration.seed, stream: 1 << 40)
        let parameters = initialParameters(&random)
        let symmetry: NetworkSymmetry = switch configuration.ansatz.symmetrize ?? .none {
        case .none: .none
        case .even: .even
        case .superposition: .superposition
        }
        if configuration.ansatz.tail ?? false {
            let base = TailedGaussian(gaussian: gaussian, coupling: theory.coupling)
            return try consumer.consume(
                GaussianNetwork(base: base, network: network, networkParameters: parameters, symmetry: symmetry))
        }
        return try consumer.consume(
            GaussianNetwork(base: gaussian, network: network, networkParameters: parameters, symmetry: symmetry))
    }
}
