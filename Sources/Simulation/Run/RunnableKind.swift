import Foundation
import Output
import RunEngine
import SimulationConfig

/// A kind of run as the command line runs it: everything every kind needs
/// around its stages — the run directory's files, resuming, the checkpoint's
/// checks, the memory check, the summary — is written once (`RunnableKind+Files`,
/// `RunCatalog`, the command line); each kind declares in its own type only what
/// differs. Adding a kind is its own files plus one line in `RunCatalog.kinds`.
public protocol RunnableKind: RunKind where State: RunState<Description> {
    associatedtype Description: RunnableDescription

    var configuration: Description { get }
    init(configuration: Description)

    /// The files the kind writes into a run directory, besides checkpoint.json and
    /// summary.json (`--force` clears every kind's, `RunCatalog.files`).
    static var files: [String] { get }

    /// What makes `state` not this run's, beyond its configuration (compared
    /// for every kind alike): shapes and counts against the config, finiteness,
    /// ranges. Empty when it belongs. A checkpoint is checked before any of it is
    /// used, so a tampered or truncated one is refused (exit 2), never a trap.
    func structuralProblems(_ state: State) -> [String]

    /// What an unfinished run keeps besides its checkpoint (energy.csv of the steps so far).
    func partialTables(_ state: State) -> [String: CSVTable]

    /// Files other than tables a run leaves as soon as they are final (a trained
    /// flow's flow.json), written with every checkpoint.
    func artefacts(_ state: State) throws -> [String: Data]

    /// A finished run's summary, tables and terminal lines.
    func outcome(_ state: State) throws -> RunOutcome

    /// The memory the run needs at most (`nqft run` and `validate` refuse one
    /// above 80% of the machine's).
    func memoryEstimate() -> MemoryEstimate

    /// What the config asks for that the run cannot do with `ranks` MPI ranks or
    /// its capabilities: refused before any work (exit 2).
    func preflightIssues(ranks: Int) -> [ConfigIssue]

    /// Lines `nqft validate` prints after the resolved config (as YAML comments).
    func validationNotes() -> [String]
}

/// A run's resumable state: what `RunLoop` carries from unit to unit and
/// checkpoint.json holds, with the resolved config it belongs to.
public protocol RunState<Description>: Codable, Sendable {
    associatedtype Description: RunDescription
    var configuration: Description { get set }
}

/// A config that knows its kind of run (the registration `RunCatalog` lists).
public protocol RunnableDescription: RunDescription {
    associatedtype Kind: RunnableKind where Kind.Description == Self
}

extension RunnableDescription {
    /// The run this config describes.
    public func makeRun() -> Kind { Kind(configuration: self) }

    /// The files of this description's kind.
    static var kindFiles: [String] { Kind.files }
}

/// A finished run as its files and terminal show it.
public struct RunOutcome {
    /// summary.json: encoded with keys sorted, its non-finite numbers written as
    /// null with a warning each (`SummaryFile`); it must have a `warnings` list.
    public var summary: any Encodable
    /// CSV tables by file name.
    public var tables: [String: CSVTable]
    /// The lines printed at the end.
    public var report: [String]

    public init(summary: any Encodable, tables: [String: CSVTable], report: [String]) {
        self.summary = summary
        self.tables = tables
        self.report = report
    }
}

extension RunnableKind {
    public func partialTables(_ state: State) -> [String: CSVTable] { [:] }
    public func artefacts(_ state: State) throws -> [String: Data] { [:] }
    public func preflightIssues(ranks: Int) -> [ConfigIssue] { [] }
    public func validationNotes() -> [String] { [] }

    /// Throws `RunError.checkpointMismatch`, naming every differing key (the
    /// config without `output`) and every structural problem, when `state` was
    /// not written by this run. The one resume check of every kind.
    public func checkResume(_ state: State) throws {
        let keys = state.configuration.differences(from: configuration).map(\.description)
        let problems = keys.isEmpty ? structuralProblems(state) : []
        guard keys.isEmpty, problems.isEmpty else {
            let why = keys.isEmpty
                ? "the checkpoint does not fit this run: " + problems.joined(separator: "; ")
                : "the checkpoint was written by a different configuration: " + keys.joined(separator: "; ")
            throw RunError.checkpointMismatch(why)
        }
    }

    /// Writes an unfinished run: its partial tables, then checkpoint.json.
    public func writePartial(_ state: State, to directory: URL) throws {
        for (file, table) in partialTables(state).sorted(by: { $0.key < $1.key }) {
            try AtomicFile.write(table.text, to: directory.appendingPathComponent(file))
        }
        try writeArtefacts(state, to: directory)
        try AtomicFile.write(
            CheckpointFile.encode(state, kind: Description.modes[0]), to: directory.appendingPathComponent(CheckpointFile.name))
    }

    func writeArtefacts(_ state: State, to directory: URL) throws {
        for (file, data) in try artefacts(state).sorted(by: { $0.key < $1.key }) {
            try AtomicFile.write(data, to: directory.appendingPathComponent(file))
        }
    }

    /// Writes a finished run's files, summary.json last (its presence means the
    /// directory is complete); returns the terminal lines and the summary's warnings.
    public func writeComplete(_ state: State, to directory: URL) throws -> (report: String, warnings: [String]) {
        let outcome = try outcome(state)
        for (file, table) in outcome.tables.merging(partialTables(state), uniquingKeysWith: { a, _ in a }).sorted(by: { $0.key < $1.key }) {
            try AtomicFile.write(table.text, to: directory.appendingPathComponent(file))
        }
        try writeArtefacts(state, to: directory)
        try AtomicFile.write(
            CheckpointFile.encode(state, kind: Description.modes[0]), to: directory.appendingPathComponent(CheckpointFile.name))
        let (data, warnings) = try SummaryFile.encode(outcome.summary)
        try AtomicFile.write(data, to: directory.appendingPathComponent(SummaryFile.name))
        return ((outcome.report + ["written to  \(directory.path)"]).joined(separator: "\n"), warnings)
    }

    /// The checkpoint at `data`, checked (its checksum, its kind, its config and
    /// its structure) against this run.
    public func decodeCheckpoint(_ data: Data, path: String) throws -> State {
        let state = try CheckpointFile.decode(State.self, kind: Description.modes[0], from: data, path: path)
        try checkResume(state)
        return state
    }
}
