import Execution

/// One phase of a run (a warm start, an optimisation, an evaluation, an exact
/// reference), done as a sequence of units of work on the run's state.
///
/// The contract with `RunLoop`:
/// - a unit is atomic: `advance` either returns with `state` moved on by one
///   unit, or throws and the loop keeps the state from before the unit (so a
///   stop request or a failure never leaves half a unit in a checkpoint);
/// - `isComplete` is a function of the state alone, so a resumed run continues
///   with the first stage that is not complete;
/// - long units poll `context.stop` (and throw `Interrupted`) about once a second of work.
public protocol RunStage<State>: Sendable {
    associatedtype State: Sendable
    /// What a unit adds to the state's append-only records (an optimisation
    /// step's energy.csv row). Appended by `append` after the unit succeeded, on
    /// a state no backup shares, so a long history is never copied per unit.
    associatedtype Record = Void

    /// Shown in progress lines and messages.
    var name: String { get }

    /// Retries of a unit that throws `Divergence`, each with `context.attempt`
    /// one higher (0: a divergence ends the run).
    var divergenceRetries: Int { get }

    /// Whether the stage has nothing left to do in `state`.
    func isComplete(_ state: State) -> Bool

    /// Does the next unit of work.
    func advance(_ state: inout State, _ context: StageContext) throws -> (UnitReport, Record)

    /// Adds a finished unit's record to the state.
    func append(_ record: Record, to state: inout State)
}

extension RunStage where Record == Void {
    public func append(_ record: Void, to state: inout State) {}
}

/// What a unit of work sees of the loop.
public struct StageContext {
    /// 0 on the first try of a unit; `k` on the `k`-th retry after a divergence.
    public let attempt: Int
    /// Polled inside long units.
    public let stop: StopCheck
    /// Progress from inside a long unit (e.g. sweeps of the evaluation), shown
    /// like a finished unit's report.
    public let report: (UnitReport) -> Void
}

/// What a finished unit of work reports.
public struct UnitReport: Sendable {
    /// Units of the stage done so far (after this one) and in all.
    public var completed: Int
    public var total: Int
    /// One line for the progress display (e.g. the step's energy).
    public var summary: String

    public init(completed: Int, total: Int, summary: String) {
        self.completed = completed
        self.total = total
        self.summary = summary
    }
}

/// Thrown by a unit whose result is not finite; the loop retries it
/// `divergenceRetries` times from the state before it.
public struct Divergence: Error, Sendable {
    public var detail: String
    public init(_ detail: String) { self.detail = detail }
}
