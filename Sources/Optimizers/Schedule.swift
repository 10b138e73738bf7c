import Foundation

/// A hyperparameter that moves geometrically from `initial` to `final` over
/// `steps` optimisation steps and then stays at `final`:
/// `value(t) = initial (final/initial)^(t/(steps-1))`. A constant when
/// `final == initial`.
public struct Schedule: Sendable, Equatable, Codable {
    public var initial: Double
    public var final: Double
    public var steps: Int

    public init(initial: Double, final: Double? = nil, steps: Int = 1) {
        precondition(initial >= 0 && (final ?? initial) >= 0 && steps >= 1)
        precondition((initial == 0) == ((final ?? initial) == 0), "a geometric schedule cannot cross zero")
        self.initial = initial
        self.final = final ?? initial
        self.steps = steps
    }

    public static func constant(_ value: Double) -> Schedule { Schedule(initial: value) }

    /// The schedule multiplied by `factor` (> 0).
    public func scaled(by factor: Double) -> Schedule {
        Schedule(initial: initial * factor, final: final * factor, steps: steps)
    }

    public func value(at step: Int) -> Double {
        guard steps > 1, initial != final else { return initial }
        let t = min(1, Double(max(0, step)) / Double(steps - 1))
        return initial * pow(final / initial, t)
    }
}
