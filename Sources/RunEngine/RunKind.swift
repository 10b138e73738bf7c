import Execution
import Foundation
import Parallelism

/// A kind of run (the variational ground state; later Euclidean sampling,
/// network field theories): the state it resumes from, its stages in order, and
/// the files it writes. `execute` drives any kind through the one `RunLoop`;
/// the command line drives any kind through `execute` and the kind's writers.
public protocol RunKind {
    associatedtype State: Codable & Sendable

    /// The stages in order, and the state to start from: a fresh run's, or
    /// `checkpoint` once checked against this run (throws when it does not belong).
    func plan(resuming checkpoint: State?, parallelism: Parallelism) throws -> (stages: [any RunStage<State>], start: State)

    /// Throws, naming what differs, when `checkpoint` belongs to another run; cheap,
    /// so a caller can check before it touches a run directory.
    func checkResume(_ checkpoint: State) throws

    /// Where in the run `state` stands, for messages ("after optimisation step 12").
    func position(_ state: State) -> String

    /// Writes an unfinished run: what resumes it and what is worth keeping so far.
    func writePartial(_ state: State, to directory: URL) throws

    /// Writes a finished run's files (its summary last); returns the lines for
    /// the terminal and the warnings of the run's own diagnostics.
    func writeComplete(_ state: State, to directory: URL) throws -> (report: String, warnings: [String])
}

/// How a caller steers a run: progress, periodic checkpoints, stopping, resuming, threads.
public struct RunControl<State: Sendable> {
    /// Sees every finished unit of work (an optimisation step, a thermalisation,
    /// the evaluation, the reference) with its stage's name, and progress from
    /// inside long units.
    public var progress: (_ stage: String, UnitReport) -> Void = { _, _ in }
    /// Polled before every unit and inside long ones.
    public var stop: StopCheck = .never
    /// Saves a checkpoint every `checkpointEvery` checkpoint steps (0: never).
    public var checkpointEvery = 0
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
        loop.checkpointEvery = control.checkpointEvery
        loop.saveCheckpoint = control.saveCheckpoint
        loop.progress = control.progress
        return try loop.run(stages, from: start)
    }
}
