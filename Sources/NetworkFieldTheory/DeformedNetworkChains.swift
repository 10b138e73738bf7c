import CActivations
import Execution
import Foundation
import Parallelism
import Statistics

/// Networks whose parameter density is the prior's deformed by
/// exp(-(lambda/24) sum_x phi_theta(x)^4) (Demirtas, Halverson, Maiti, Schwartz and
/// Stoner, arXiv:2307.03223, §4): the push-forward to fields is the prior's
/// field density times exp(-S_int), so for the free-field network
/// (`FreeFieldNetworkPrior`, a Gaussian field as N -> infinity) it becomes
/// lattice phi^4 theory with O(1/N) corrections.
///
/// Sampled exactly by Metropolis within Gibbs over neurons: neuron i is redrawn
/// from its prior and accepted with probability min(1, exp(-Delta S_int)), the
/// prior's factors cancelling in the Hastings ratio. A move costs O(V); a sweep
/// is N moves. Chains are independent streams (`seed`, chain), so results do
/// not depend on the thread count.
public struct DeformedNetworkChains: Sendable {
    public let prior: any NetworkPrior
    /// lambda of the quartic deformation.
    public let coupling: Double

    public struct Chain: Codable, Sendable, Equatable, RankPackable {
        public var parameters: NetworkParameters
        /// phi_theta at the inputs.
        public var field: [Double]
        public var random: RandomSource
        public var accepted = 0
        public var proposed = 0
        /// Sweeps done (the field is recomputed from the parameters every 16th).
        public var sweeps = 0

        init(parameters: NetworkParameters, field: [Double], random: RandomSource) {
            (self.parameters, self.field, self.random) = (parameters, field, random)
        }

        public func pack(into words: inout PackedWords) {
            parameters.pack(into: &words)
            field.pack(into: &words)
            random.pack(into: &words)
            for count in [accepted, proposed, sweeps] { count.pack(into: &words) }
        }

        public init(unpacking words: inout PackedWords.Reader) {
            self.init(parameters: NetworkParameters(unpacking: &words), field: [Double](unpacking: &words), random: RandomSource(unpacking: &words))
            (accepted, proposed, sweeps) = (Int(unpacking: &words), Int(unpacking: &words), Int(unpacking: &words))
        }
    }

    public init(prior: any NetworkPrior, coupling: Double) {
        self.prior = prior
        self.coupling = coupling
    }

    /// Chains started at draws from the prior.
    public func initialChains(_ count: Int, seed: UInt64) -> [Chain] {
        (0..<count).map { c in
            var random = RandomSource(seed: seed, stream: UInt64(c))
            var parameters = NetworkParameters(networks: 1, width: prior.width, dimension: prior.inputs.dimension)
            prior.draw(&parameters, &random)
            return Chain(parameters: parameters, field: evaluate(parameters), random: random)
        }
    }

    /// Runs `records x every` sweeps on every chain (chains over threads and
    /// ranks), returning each chain's field after every `every`-th sweep
    /// (records x P per chain). Records are run in blocks of about
    /// `movesPerBlock` neuron moves per chain, `stop` polled between blocks (a
    /// collective check must not run inside the chains' work); changes
    /// `chains` only when it returns.
    public func sample(_ chains: inout [Chain], records: Int, every: Int, stop: StopCheck, parallelism: Parallelism) throws -> [[Double]] {
        let perBlock = max(1, Self.movesPerBlock / max(1, every * prior.width * prior.inputs.count))
        var moved = chains
        var series = [[Double]](repeating: [], count: chains.count)
        var done = 0
        while done < records {
            try stop.check()
            let count = min(perBlock, records - done)
            let start = moved
            let results = parallelism.distributedMap(start.count) { c -> RankPair<Chain, [Double]> in
                var chain = start[c]
                var fields = [Double]()
                fields.reserveCapacity(count * prior.inputs.count)
                for _ in 0..<count {
                    for _ in 0..<every { sweep(&chain) }
                    fields += chain.field
                }
                return RankPair(chain, fields)
            }
            for (c, result) in results.enumerated() {
                moved[c] = result.first
                series[c] += result.second
            }
            done += count
        }
        chains = moved
        return series
    }

    /// Neuron moves times inputs per chain between stop checks: about a second of work.
    static let movesPerBlock = 1 << 27

    /// Acceptance over every move of `chains` since their counters started.
    public static func acceptance(_ chains: [Chain]) -> Double {
        let proposed = chains.reduce(0) { $0 + $1.proposed }
        return proposed > 0 ? Double(chains.reduce(0) { $0 + $1.accepted }) / Double(proposed) : 0
    }

    /// One sweep: every neuron redrawn once, in order; every 16th sweep the field
    /// is recomputed from the parameters so rounding does not accumulate.
    func sweep(_ chain: inout Chain) {
        // The prior's inputs read once per sweep, not per move (an existential's
        // getters retain and release their arrays).
        let inputs = prior.inputs, variance = prior.preactivationVariance, code = prior.activation.kernelCode
        let p = inputs.count, d = inputs.dimension
        var proposal = chain.parameters
        var old = [Double](repeating: 0, count: p), new = old, delta = old
        inputs.coordinates.withUnsafeBufferPointer { x in
            variance.withUnsafeBufferPointer { v in
                // v_i sigma(w_i . x + c_i) at every input.
                func neuron(_ i: Int, of parameters: NetworkParameters, into out: UnsafeMutablePointer<Double>) {
                    parameters.weights.withUnsafeBufferPointer { w in
                        nqft_neuron_field(
                            code, Int64(d), Int64(p), x.baseAddress, v.baseAddress, w.baseAddress! + i * d, parameters.biases[i],
                            parameters.amplitudes[i], out)
                    }
                }
                for i in 0..<prior.width {
                    prior.drawNeuron(i, ofNetwork: 0, in: &proposal, &chain.random)
                    neuron(i, of: chain.parameters, into: &old)
                    neuron(i, of: proposal, into: &new)
                    for x in 0..<p { delta[x] = new[x] - old[x] }
                    let change = coupling / 24 * nqft_quartic_change(chain.field, delta, Int64(p))
                    chain.proposed += 1
                    // One neuron copied either way, so a sweep stays O(N V).
                    if change <= 0 || chain.random.uniform() < exp(-change) {
                        chain.accepted += 1
                        for x in 0..<p { chain.field[x] += delta[x] }
                        Self.copyNeuron(i, from: proposal, to: &chain.parameters)
                    } else {
                        Self.copyNeuron(i, from: chain.parameters, to: &proposal)
                    }
                }
            }
        }
        chain.sweeps += 1
        if chain.sweeps % 16 == 0 { chain.field = evaluate(chain.parameters) }
    }

    private static func copyNeuron(_ i: Int, from source: NetworkParameters, to target: inout NetworkParameters) {
        let d = source.dimension
        for j in 0..<d { target.weights[i * d + j] = source.weights[i * d + j] }
        target.biases[i] = source.biases[i]
        target.amplitudes[i] = source.amplitudes[i]
    }

    private func evaluate(_ parameters: NetworkParameters) -> [Double] {
        var field = [Double](repeating: 0, count: prior.inputs.count)
        field.withUnsafeMutableBufferPointer { prior.evaluate(parameters, into: $0.baseAddress!) }
        return field
    }
}
