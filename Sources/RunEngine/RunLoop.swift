import Execution

/// The one run loop: takes a run's state through its stages in order, unit by
/// unit, and owns what every kind of run needs around the units — stop
/// requests, the divergence guard, periodic checkpoints, progress and resume
/// (a resumed state simply skips its complete stages). A new kind of run
/// supplies its stages and its `Codable` state; it does not copy this loop.
public struct RunLoop<State: Sendable> {
    /// Asked before every unit (and passed into long units).
    public var stop: StopCheck = .never
    /// Seconds of wall time between calls to `saveCheckpoint` (0: never): the
    /// one rule for every kind of run and stage. A unit is about a second of
    /// work, so a checkpoint follows the period within about a second.
    public var checkpointInterval = 0.0
    public var saveCheckpoint: (State) throws -> Void = { _ in }
    /// The clock the interval is measured on, in seconds (a test's own clock).
    public var clock: () -> Double = RunLoop.wallSeconds
    /// Sees every finished unit, with its stage's name.
    public var progress: (_ stage: String, UnitReport) -> Void = { _, _ in }

    public init() {}

    /// Runs every stage that is not complete in `state`; returns the final state.
    ///
    /// - Throws: `RunStopped.interrupted` with the state before the unit in
    ///   progress when a stop is requested; `RunStopped.diverged` with the state
    ///   before the failing unit when it still diverges after its retries; any
    ///   other error of a unit as it is.
    public func run(_ stages: [any RunStage<State>], from initial: State) throws -> State {
        var state = initial
        var lastSave = clock()
        for stage in stages {
            while !stage.isComplete(state) {
                if stop.isRequested { throw RunStopped.interrupted(state) }
                let report = try advance(stage, &state)
                progress(stage.name, report)
                if checkpointInterval > 0, clock() - lastSave >= checkpointInterval {
                    try saveCheckpoint(state)
                    lastSave = clock()
                }
            }
        }
        return state
    }

    /// Seconds on a monotonic clock since the first call.
    public static func wallSeconds() -> Double {
        let d = (ContinuousClock.now - origin).components
        return Double(d.seconds) + Double(d.attoseconds) * 1e-18
    }
}

private let origin = ContinuousClock.now

extension RunLoop {

    /// One unit of `stage` with the divergence guard: each try starts from the
    /// state before the unit; `state` changes only when a try succeeds.
    private func advance<S: RunStage<State>>(_ stage: S, _ state: inout State) throws -> UnitReport {
        var failure = ""
        for attempt in 0...stage.divergenceRetries {
            var trial = state
            do {
                let context = StageContext(attempt: attempt, stop: stop) { progress(stage.name, $0) }
                let (report, record) = try stage.advance(&trial, context)
                state = consume trial
                stage.append(record, to: &state)
                return report
            } catch let divergence as Divergence {
                failure = divergence.detail
            } catch is Interrupted {
                throw RunStopped.interrupted(state)
            }
        }
        let retries = stage.divergenceRetries
        throw RunStopped.diverged(
            stage: stage.name, detail: retries == 0 ? failure : "\(failure), also after \(retries) retries", lastGood: state)
    }
}

/// Why `RunLoop.run` ended early, with the state to save.
public enum RunStopped<State: Sendable>: Error {
    /// A stop was requested; the state before the unit in progress.
    case interrupted(State)
    /// A unit's result stayed non-finite through its retries; the state before it.
    case diverged(stage: String, detail: String, lastGood: State)
}
