import Execution
import RunEngine
import Synchronization
import Testing

/// A toy run: a counter stage that fails on chosen units, to pin down the loop's contract.
struct Toy: Sendable, Equatable {
    var counted = 0
    var log: [String] = []
    var finished = false
}

struct CountingStage: RunStage {
    let name = "count"
    let total: Int
    let divergenceRetries: Int
    /// Units whose first `failures` tries throw `Divergence` (unit index -> failures).
    let failing: [Int: Int]
    /// A unit that polls the stop check in its middle.
    let pollsStop: Bool

    func isComplete(_ state: Toy) -> Bool { state.counted >= total }

    func advance(_ state: inout Toy, _ context: StageContext) throws -> (UnitReport, String) {
        state.counted += 1  // a change that must be discarded if the unit throws
        if context.attempt < failing[state.counted - 1, default: 0] { throw Divergence("unit \(state.counted - 1)") }
        if pollsStop { try context.stop.check() }
        return (UnitReport(completed: state.counted, total: total, summary: ""),
                "unit \(state.counted - 1) try \(context.attempt)")
    }

    func append(_ record: String, to state: inout Toy) { state.log.append(record) }
}

struct FinishStage: RunStage {
    let name = "finish"
    let divergenceRetries = 0
    func isComplete(_ state: Toy) -> Bool { state.finished }
    func advance(_ state: inout Toy, _ context: StageContext) throws -> (UnitReport, Void) {
        state.finished = true
        return (UnitReport(completed: 1, total: 1, summary: "done"), ())
    }
}

@Suite struct RunLoopTests {
    /// Periodic checkpoints follow the clock, whatever the stage: here every unit
    /// takes one second and the interval is two.
    @Test func stagesRunInOrderWithCheckpointsEveryInterval() throws {
        var loop = RunLoop<Toy>()
        let saved = Mutex<[Int]>([])
        let now = Mutex(0.0)
        var stages: [String] = []
        loop.checkpointInterval = 2
        loop.clock = { now.withLock { $0 } }
        loop.saveCheckpoint = { state in saved.withLock { $0.append(state.counted) } }
        loop.progress = { name, _ in
            stages.append(name)
            now.withLock { $0 += 1 }
        }
        let final = try loop.run(
            [CountingStage(total: 5, divergenceRetries: 0, failing: [:], pollsStop: false), FinishStage()], from: Toy())
        #expect(final.counted == 5 && final.finished)
        #expect(saved.withLock { $0 } == [2, 4, 5])
        #expect(stages == ["count", "count", "count", "count", "count", "finish"])
    }

    /// A diverging unit is retried from the state before it; the retries see
    /// attempt 1, 2, ...; exhausted retries end the run with the last good state.
    @Test func divergenceGuardRetriesFromTheStateBefore() throws {
        let stage = CountingStage(total: 4, divergenceRetries: 3, failing: [1: 2], pollsStop: false)
        let final = try RunLoop<Toy>().run([stage], from: Toy())
        #expect(final.log == ["unit 0 try 0", "unit 1 try 2", "unit 2 try 0", "unit 3 try 0"])

        let hopeless = CountingStage(total: 4, divergenceRetries: 3, failing: [2: 9], pollsStop: false)
        #expect {
            _ = try RunLoop<Toy>().run([hopeless], from: Toy())
        } throws: { error in
            guard case RunStopped<Toy>.diverged(let name, let detail, let lastGood) = error else { return false }
            return name == "count" && detail.contains("unit 2") && lastGood.counted == 2 && lastGood.log.count == 2
        }
    }

    /// A stop inside a unit discards the unit: the state saved is the one before it,
    /// and running again from it continues to the same end.
    @Test func stopInsideAUnitKeepsTheStateBeforeIt() throws {
        let polls = Mutex(0)
        var loop = RunLoop<Toy>()
        loop.stop = StopCheck { polls.withLock { $0 += 1; return $0 >= 6 } }  // before-unit and in-unit polls alternate
        let stage = CountingStage(total: 5, divergenceRetries: 0, failing: [:], pollsStop: true)
        var saved: Toy?
        do {
            _ = try loop.run([stage, FinishStage()], from: Toy())
        } catch RunStopped<Toy>.interrupted(let state) {
            saved = state
        }
        let state = try #require(saved)
        #expect(state.counted == 2 && state.log.count == 2)
        let resumed = try RunLoop<Toy>().run([stage, FinishStage()], from: state)
        let whole = try RunLoop<Toy>().run([stage, FinishStage()], from: Toy())
        #expect(resumed == whole)
    }

    /// A state whose stages are complete runs nothing.
    @Test func completeStagesAreSkipped() throws {
        var loop = RunLoop<Toy>()
        var units = 0
        loop.progress = { _, _ in units += 1 }
        let done = Toy(counted: 3, log: [], finished: true)
        #expect(try loop.run([CountingStage(total: 3, divergenceRetries: 0, failing: [:], pollsStop: false), FinishStage()], from: done) == done)
        #expect(units == 0)
    }
}
