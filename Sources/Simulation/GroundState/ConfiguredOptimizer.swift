import SimulationConfig
import Optimizers
import VMC

/// The optimizer a config asks for, as one concrete type the driver can hold.
public enum ConfiguredOptimizer: Optimizer, Codable {
    case sr(StochasticReconfiguration)
    case adam(Adam)

    init(_ section: GroundStateConfiguration.OptimizerSection) {
        let steps = max(1, section.steps)
        let learningRate = Schedule(
            initial: section.learningRate, final: section.learningRateFinal ?? section.learningRate, steps: steps)
        switch section.kind {
        case .sr:
            let shift = section.diagShift ?? 0
            var sr = StochasticReconfiguration(
                learningRate: learningRate,
                diagonalShift: Schedule(initial: shift, final: section.diagShiftFinal ?? shift, steps: steps))
            sr.maximumStep = section.maxStep
            self = .sr(sr)
        case .adam:
            self = .adam(Adam(learningRate: learningRate))
        }
    }

    public var learningRate: Double {
        switch self {
        case .sr(let sr): return sr.learningRate
        case .adam(let adam): return adam.learningRate
        }
    }

    public mutating func scaleLearningRate(by factor: Double) {
        switch self {
        case .sr(var sr):
            sr.scaleLearningRate(by: factor)
            self = .sr(sr)
        case .adam(var adam):
            adam.scaleLearningRate(by: factor)
            self = .adam(adam)
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
