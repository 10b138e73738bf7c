import Foundation

/// Adam (Kingma and Ba, arXiv:1412.6980): gradient descent with bias-corrected
/// first and second moments of the gradient, for any loss (the variational
/// energy in VMC, a flow's reverse KL divergence).
public struct Adam: Sendable, Codable {
    public var learningRateSchedule: Schedule
    public var beta1: Double
    public var beta2: Double
    public var epsilon: Double
    /// Moments and the number of updates made, kept for checkpoints.
    public private(set) var firstMoment: [Double] = []
    public private(set) var secondMoment: [Double] = []
    public private(set) var updates: Int = 0

    public init(learningRate: Schedule, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8) {
        precondition(learningRate.initial > 0 && (0..<1).contains(beta1) && (0..<1).contains(beta2) && epsilon > 0)
        learningRateSchedule = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
    }

    public init(learningRate: Double) { self.init(learningRate: .constant(learningRate)) }

    public var learningRate: Double { learningRateSchedule.value(at: updates) }

    public mutating func scaleLearningRate(by factor: Double) {
        learningRateSchedule = learningRateSchedule.scaled(by: factor)
    }

    /// One Adam step down `gradient`.
    public mutating func update(_ parameters: inout [Double], gradient: [Double]) {
        if firstMoment.count != parameters.count {
            firstMoment = [Double](repeating: 0, count: parameters.count)
            secondMoment = firstMoment
        }
        let eta = learningRate
        updates += 1
        let correction1 = 1 - pow(beta1, Double(updates))
        let correction2 = 1 - pow(beta2, Double(updates))
        for p in parameters.indices {
            firstMoment[p] = beta1 * firstMoment[p] + (1 - beta1) * gradient[p]
            secondMoment[p] = beta2 * secondMoment[p] + (1 - beta2) * gradient[p] * gradient[p]
            let mHat = firstMoment[p] / correction1
            let vHat = secondMoment[p] / correction2
            parameters[p] -= eta * mHat / (vHat.squareRoot() + epsilon)
        }
    }
}
