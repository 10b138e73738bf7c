import SimulationConfig
import Statistics

/// How an evaluation with an error target ended (`evaluation.target_error` or
/// `target_relative_error`): the absolute target, whether the energy's error
/// reached it, and otherwise the cap that stopped it.
public struct EvaluationPrecision: Sendable, Codable, Equatable {
    public enum Limit: String, Sendable, Codable {
        case maxSamples = "max_samples"
        case maxSeconds = "max_seconds"
    }

    /// The absolute error asked for.
    public var target: Double
    public var reached: Bool
    /// The cap that ended the evaluation before the target; nil when reached.
    public var limit: Limit?
    /// Samples the target needs at the measured error (error ~ 1/sqrt(samples)).
    public var samplesNeeded: Int

    /// Samples for `target` from `error` at `samples`: `samples (error/target)^2`.
    static func samplesNeeded(samples: Int, error: Double, target: Double) -> Int {
        let needed = Double(samples) * (error / target) * (error / target)
        return needed < 1e18 ? Int(needed.rounded(.up)) : Int(1e18)
    }

    /// The next round's end (total sweeps), or nil with the reason to stop.
    ///
    /// The error falls like `1/sqrt(sweeps)` once tau_int is resolved, so the
    /// target needs `done (error/target)^2` sweeps; the round asks 10% more (the
    /// error's own estimate fluctuates) but at most 4x what is done, so a first
    /// round too short to see tau_int is corrected before most of the time is
    /// spent, and never beyond `cap` or the sweeps `secondsLeft` allows.
    static func nextRound(
        done: Int, error: Double, target: Double, cap: Int, secondsLeft: Double?, secondsPerSweep: Double
    ) -> (sweeps: Int?, limit: Limit?) {
        if error <= target { return (nil, nil) }
        if done >= cap { return (nil, .maxSamples) }
        let ratio = error / target
        let factor = ratio.isFinite ? min(4, 1.1 * ratio * ratio) : 4
        var sweeps = min(cap, max(done + 1, Int((Double(done) * factor).rounded(.up))))
        if let left = secondsLeft {
            let affordable = left / max(secondsPerSweep, 1e-9)
            if affordable < 1 { return (nil, .maxSeconds) }
            sweeps = min(sweeps, done + Int(min(affordable, Double(cap))))
        }
        return (sweeps, nil)
    }
}

extension GroundStateConfiguration.EvaluationSection {
    /// The absolute error target for an energy estimate: `target_error`, or
    /// `target_relative_error` times |E|; nil without a target.
    func target(for energy: Estimate) -> Double? {
        targetError ?? targetRelativeError.map { $0 * abs(energy.mean) }
    }
}
