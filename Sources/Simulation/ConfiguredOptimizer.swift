import SimulationConfig
import VMC

/// The optimizer a config asks for, as one concrete type the driver can hold.
public enum ConfiguredOptimizer: Optimizer, Codable {
    case sr(StochasticReconfiguration)
    case adam(Adam)

    init(_ section: RunConfiguration.OptimizerSection) {
        switch section.kind {
        case .sr:
            self = .sr(StochasticReconfiguration(learningRate: section.learningRate, diagonalShift: section.diagShift ?? 0))
        case .adam:
            self = .adam(Adam(learningRate: section.learningRate))
        }
    }

    public var learningRate: Double {
        switch self {
        case .sr(let sr): return sr.learningRate
        case .adam(let adam): return adam.learningRate
        }
    }

    public mutating func update(_ parameters: inout [Double], from samples: EnergySamples) throws {
        switch self {
        case .sr(var sr):
            try sr.update(&parameters, from: samples)
            self = .sr(sr)
        case .adam(var adam):
            try adam.update(&parameters, from: samples)
            self = .adam(adam)
        }
    }
}

extension StochasticReconfiguration: Codable {
    enum CodingKeys: String, CodingKey { case learningRate = "learning_rate", diagonalShift = "diag_shift" }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            learningRate: try c.decode(Double.self, forKey: .learningRate),
            diagonalShift: try c.decode(Double.self, forKey: .diagonalShift))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(learningRate, forKey: .learningRate)
        try c.encode(diagonalShift, forKey: .diagonalShift)
    }
}
