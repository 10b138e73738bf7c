import Execution
import Parallelism

/// A kind of run as the run loop sees it: the state it resumes from and its
/// stages in order. `execute` drives any kind through the one `RunLoop`; what a
/// kind writes and how a run directory is kept are the command line's
/// (`Simulation.RunnableKind`).
public protocol RunKind: Sendable {
    associatedtype State: Codable & Sendable

    /// The stages in order, and the state to start from: a fresh run's, or
    /// `checkpoint` (already checked against this run by the caller).
    func plan(resuming checkpoint: State?, parallelism: Parallelism) throws -> (stages: [any RunStage<State>], start: State)

    /// Where in the run `state` stands, for messages ("after optimisation step 12").
    func position(_ state: State) -> String
}

/// How a caller steers a run: progress, periodic checkpoints, stopping, resuming, threads.
public struct RunControl<State: Sendable> {
    /// Sees every finished unit of work (an optimisation step, a block of
    /// trajectories, the analysis) with its stage's name, and progress from
    /// inside long units.
    public var progress: (_ stage: String, UnitReport) -> Void = { _, _ in }
    /// Polled before every unit and inside long ones.
    public var stop: StopCheck = .never
    /// Seconds of wall time between periodic checkpoints (0: never; `RunLoop`).
    public var checkpointInterval = 0.0
    public var saveCheckpoint: (State) throws -> Void = { _ in }
    /// A checkpoint to continue from.
    public var resume: State?
    /// Threads the work is split over (results do not depend on it).
    public var parallelism = Parallelism.serial

    public init() {}
}

extension RunKind {
    /// Runs (or with `control.resume` continues) every stage to the end.
    ///
    /// - Throws: `RunStopped<State>` when stopped or diverged (with the state to
    ///   save), or any error of the plan or of a unit.
    public func execute(_ control: RunControl<State>) throws -> State {
        let (stages, start) = try plan(resuming: control.resume, parallelism: control.parallelism)
        var loop = RunLoop<State>()
        loop.stop = control.stop
        loop.checkpointInterval = control.checkpointInterval
        loop.saveCheckpoint = control.saveCheckpoint
        loop.progress = control.progress
        return try loop.run(stages, from: start)
    }
}
