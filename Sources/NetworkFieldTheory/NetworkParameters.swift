import CActivations
import Parallelism

/// The parameters of a batch of one-hidden-layer networks
/// phi(x) = offset + sum_i amplitude_i sigma(weight_i . x + bias_i), stored flat
/// (network-major) for the C kernel.
public struct NetworkParameters: Sendable, Codable, Equatable {
    public let networks: Int
    public let width: Int
    public let dimension: Int
    /// networks x width x dimension.
    public var weights: [Double]
    /// networks x width.
    public var biases: [Double]
    public var amplitudes: [Double]
    /// networks.
    public var offsets: [Double]

    public init(networks: Int, width: Int, dimension: Int) {
        self.networks = networks
        self.width = width
        self.dimension = dimension
        weights = [Double](repeating: 0, count: networks * width * dimension)
        biases = [Double](repeating: 0, count: networks * width)
        amplitudes = biases
        offsets = [Double](repeating: 0, count: networks)
    }

    /// Every network's field at the inputs, `networks x P` row-major, into `fields`.
    ///
    /// - Complexity: O(networks width P (dimension + 1)), vectorised over the points.
    public func evaluate(
        _ activation: NetworkActivation, at inputs: NetworkInputs, variance: [Double], into fields: UnsafeMutablePointer<Double>
    ) {
        precondition(inputs.dimension == dimension && variance.count == inputs.count, "evaluate: shapes do not conform")
        nqft_network_fields(
            activation.kernelCode, Int64(networks), Int64(width), Int64(dimension), Int64(inputs.count), inputs.coordinates,
            variance, weights, biases, amplitudes, offsets, fields)
    }
}

extension NetworkParameters: RankPackable {
    public func pack(into words: inout PackedWords) {
        for size in [networks, width, dimension] { size.pack(into: &words) }
        for values in [weights, biases, amplitudes, offsets] { values.pack(into: &words) }
    }

    public init(unpacking words: inout PackedWords.Reader) {
        networks = Int(unpacking: &words)
        width = Int(unpacking: &words)
        dimension = Int(unpacking: &words)
        weights = [Double](unpacking: &words)
        biases = [Double](unpacking: &words)
        amplitudes = [Double](unpacking: &words)
        offsets = [Double](unpacking: &words)
    }
}
