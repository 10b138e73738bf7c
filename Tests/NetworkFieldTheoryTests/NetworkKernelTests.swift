import CActivations
import Foundation
import Lattice
import Statistics
import TestSupport
import Testing

import NetworkFieldTheory

/// The C kernel's activations and fields against libm and a literal evaluation.
@Suite struct NetworkKernelTests {
    /// sigma(z) of the kernels (the machine's clone, through the one-neuron path).
    func activation(_ code: nqft_network_activation, _ z: [Double], variance: [Double]? = nil) -> [Double] {
        var out = [Double](repeating: 0, count: z.count)
        var weight = 1.0
        nqft_neuron_field(code, 1, Int64(z.count), z, variance ?? z, &weight, 0, 1, &out)
        return out
    }

    @Test func activationsMatchLibm() {
        let z = stride(from: -30.0, through: 30.0, by: 0.0007).map { $0 }
        #expect(zip(activation(NQFT_NETWORK_ERF, z), z).map { abs($0 - erf($1)) }.max()! < 4.5e-7)
        let wide = stride(from: -2000.0, through: 2000.0, by: 0.0131).map { $0 }
        #expect(zip(activation(NQFT_NETWORK_COS, wide), wide).map { abs($0 - cos($1)) }.max()! < 1.3e-7)
        #expect(activation(NQFT_NETWORK_RELU, z) == z.map { max(0, $0) })
        let variance = z.map { 0.5 + 0.01 * abs($0) }
        let gauss = activation(NQFT_NETWORK_GAUSS, z, variance: variance)
        #expect(zip(zip(gauss, z), variance).map { abs($0.0 / exp($0.1 - $1) - 1) }.max()! < 1e-14)
    }

    /// phi(x) = b + sum_i v_i sigma(w_i . x + c_i), evaluated literally, for every
    /// activation and input dimension.
    @Test(arguments: NetworkActivation.allCases, [1, 2, 3])
    func fieldsAreTheNetworksOutputs(activation: NetworkActivation, dimension: Int) {
        var random = RandomSource(seed: 7, stream: UInt64(dimension))
        let points = (0..<13).map { _ in (0..<dimension).map { _ in 2 * random.uniform() - 1 } }
        let inputs = NetworkInputs(points: points, dimension: dimension)
        let prior = StandardNetworkPrior(activation: activation, width: 9, inputs: inputs, sigmaW: 1.3, sigmaB: 0.4)
        var parameters = NetworkParameters(networks: 3, width: 9, dimension: dimension)
        prior.draw(&parameters, &random)
        var fields = [Double](repeating: 0, count: 3 * points.count)
        fields.withUnsafeMutableBufferPointer {
            parameters.evaluate(activation, at: inputs, variance: prior.preactivationVariance, into: $0.baseAddress!)
        }
        for n in 0..<3 {
            for (p, x) in points.enumerated() {
                var phi = parameters.offsets[n]
                for i in 0..<9 {
                    let neuron = n * 9 + i
                    let z = parameters.biases[neuron] + (0..<dimension).reduce(0.0) { $0 + parameters.weights[neuron * dimension + $1] * x[$1] }
                    let s: Double
                    switch activation {
                    case .erf: s = erf(z)
                    case .relu: s = max(0, z)
                    case .gauss: s = exp(z - prior.preactivationVariance[p])
                    case .cos: s = cos(z)
                    }
                    phi += parameters.amplitudes[neuron] * s
                }
                #expect(abs(fields[n * points.count + p] - phi) < 5e-6 * max(1, abs(phi)), "\(activation) network \(n) point \(p)")
            }
        }
    }
}
