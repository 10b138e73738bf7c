import FourierTransform
import Lattice
import NeuralAnsatz
import Statistics

/// The Gaussian (every `a_k = 1`) times a tanh network with seeded LeCun-normal
/// weights: the composite model tests differentiate, factor and optimise.
public func testNetworkModel(
    extent: [Int], hidden: [Int], seed: UInt64, outputScale: Double = 1, symmetrized: Bool = true
) -> GaussianNetwork<GaussianAnsatz, MultilayerPerceptron> {
    let lattice = Lattice(extent: extent)
    let net = MultilayerPerceptron(inputs: lattice.volume, hidden: hidden, activation: .tanh)
    var rng = RandomSource(seed: seed)
    return GaussianNetwork(
        base: GaussianAnsatz(lattice: lattice, fft: RealFFT(extent: extent)), network: net,
        networkParameters: net.initialParameters(random: &rng, outputScale: outputScale), symmetry: symmetrized ? .even : .none)
}
