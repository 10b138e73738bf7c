import Foundation
import Lattice
import Statistics

/// The free lattice field as a network: phi(x) = sum_{i<N} a_i cos(k_i . x + c_i) at
/// the sites x of a periodic lattice, with lattice momenta k_i drawn with
/// probability p_k = (khat^2 + m2)^-1 / Z, Z = sum_k (khat^2 + m2)^-1, phases
/// c_i ~ U(-pi, pi) and a_i ~ N(0, sigma_a^2/N). Its two-point function is
///
///     G2(x, y) = (sigma_a^2/2) sum_k p_k cos(k.(x - y)),
///
/// the lattice free propagator (1/V) sum_k e^{ik.r}/(khat^2 + m2) (docs/CONVENTIONS.md
/// §1, Euclidean action) at every width when sigma_a^2 = 2 Z / V; its connected
/// four-point function is O(1/N) (`NetworkPrior`).
public struct FreeFieldNetworkPrior: NetworkPrior {
    public let width: Int
    public let inputs: NetworkInputs
    public let lattice: Lattice
    public let massSquared: Double
    /// p_k for every momentum index (row-major mode numbers).
    public let probability: [Double]
    public let preactivationVariance: [Double]
    private let table: AliasTable
    /// The mode numbers' momenta 2 pi n_mu / L_mu with n_mu in [0, L_mu), per index.
    private let momenta: [[Double]]

    public var activation: NetworkActivation { .cos }

    /// m2 > 0.
    public init(lattice: Lattice, massSquared: Double, width: Int) {
        self.lattice = lattice
        self.massSquared = massSquared
        self.width = width
        inputs = NetworkInputs(lattice: lattice, spacing: 1)
        let weights = lattice.latticeMomentaSquared.map { 1 / ($0 + massSquared) }
        let z = weights.reduce(0, +)
        probability = weights.map { $0 / z }
        table = AliasTable(weights: weights)
        momenta = (0..<lattice.volume).map { i in
            zip(lattice.coordinates(of: i), lattice.extent).map { 2 * Double.pi * Double($0) / Double($1) }
        }
        preactivationVariance = [Double](repeating: 0, count: lattice.volume)
        amplitudeVariance = 2 * z / Double(lattice.volume) / Double(width)
    }

    /// sigma_a^2 / N.
    public let amplitudeVariance: Double
    public var offsetVariance: Double { 0 }

    public func draw(_ parameters: inout NetworkParameters, _ random: inout RandomSource) {
        for n in 0..<parameters.networks {
            for i in 0..<width { drawNeuron(i, ofNetwork: n, in: &parameters, &random) }
        }
    }

    public func drawNeuron(_ i: Int, ofNetwork n: Int, in parameters: inout NetworkParameters, _ random: inout RandomSource) {
        let neuron = n * width + i, d = parameters.dimension
        let k = momenta[table.draw(&random)]
        for j in 0..<d { parameters.weights[neuron * d + j] = k[j] }
        parameters.biases[neuron] = Double.pi * (2 * random.uniform() - 1)
        parameters.amplitudes[neuron] = amplitudeVariance.squareRoot() * random.normal()
    }

    /// E_k,c[cos(k.x + c) cos(k.y + c)] = sum_k p_k cos(k.(x - y)) / 2.
    public func neuronTwoPoint(_ p: Int, _ q: Int) -> Double {
        sumOverMomenta(of: [p], minus: [q]) / 2
    }

    /// E[prod_j cos(k.x_j + c)]: averaging over c keeps the terms of the product's
    /// expansion with two plus and two minus signs,
    /// (1/8) [cos k.(x1+x2-x3-x4) + cos k.(x1-x2+x3-x4) + cos k.(x1-x2-x3+x4)], then over k.
    public func neuronFourPoint(_ points: [Int]) -> Double {
        let (a, b, c, d) = (points[0], points[1], points[2], points[3])
        return (sumOverMomenta(of: [a, b], minus: [c, d]) + sumOverMomenta(of: [a, c], minus: [b, d])
            + sumOverMomenta(of: [a, d], minus: [b, c])) / 8
    }

    /// sum_k p_k cos(k . (sum of plus sites - sum of minus sites)), in integer mode
    /// arithmetic so the phase is exact.
    private func sumOverMomenta(of plus: [Int], minus: [Int]) -> Double {
        let d = lattice.extent.count
        var r = [Int](repeating: 0, count: d)
        for p in plus { for (j, n) in lattice.coordinates(of: p).enumerated() { r[j] += n } }
        for m in minus { for (j, n) in lattice.coordinates(of: m).enumerated() { r[j] -= n } }
        var sum = 0.0
        for i in 0..<lattice.volume {
            let n = lattice.coordinates(of: i)
            var phase = 0.0
            for j in 0..<d {
                let l = lattice.extent[j]
                phase += 2 * Double.pi * Double(((n[j] * r[j]) % l + l) % l) / Double(l)
            }
            sum += probability[i] * cos(phase)
        }
        return sum
    }

    /// The connected four-point function of M = sum_x phi_x at zero momentum, per
    /// site: (<M^4> - 3 <M^2>^2)/V. Only k = 0 neurons contribute to M (V cos c each):
    /// = N (3 (sigma_a^2/N)^2 V^4 p_0 (3/8) - 3 ((sigma_a^2/N) V^2 p_0 / 2)^2) / V.
    public var zeroMomentumFourPoint: Double {
        let v = Double(lattice.volume), p0 = probability[0], s = amplitudeVariance
        return Double(width) * (3 * s * s * pow(v, 4) * p0 * 3 / 8 - 3 * pow(s * v * v * p0 / 2, 2)) / v
    }

    /// G(k) = <|phitilde_k|^2>/V = 1/(khat^2 + m2) at momentum index `i`.
    public func momentumTwoPoint(_ i: Int) -> Double { 1 / (lattice.latticeMomentumSquared(i) + massSquared) }
}
