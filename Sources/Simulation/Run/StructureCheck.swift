import Lattice
import Sampling
import Statistics

/// Collects what is wrong with a checkpoint's state against the run it is to
/// resume — counts and shapes, finiteness, ranges — as messages naming the
/// part (`RunnableKind.structuralProblems`). Every check reads only what the
/// ones before it proved safe to read, so a malformed state is described, never
/// indexed out of range.
struct StructureCheck {
    private(set) var problems: [String] = []

    mutating func require(_ condition: Bool, _ message: @autoclosure () -> String) {
        if !condition { problems.append(message()) }
    }

    /// `actual == expected`, else "`what` has actual, expected expected".
    @discardableResult
    mutating func count(_ what: String, _ actual: Int, _ expected: Int) -> Bool {
        require(actual == expected, "\(what) has \(actual), expected \(expected)")
        return actual == expected
    }

    mutating func finite<C: Collection>(_ what: String, _ values: C) where C.Element == Double {
        if let bad = values.first(where: { !$0.isFinite }) { problems.append("\(what) holds \(bad)") }
    }

    mutating func range<T: Comparable>(_ what: String, _ value: T, _ allowed: ClosedRange<T>) {
        require(allowed.contains(value), "\(what) is \(value), outside \(allowed.lowerBound)...\(allowed.upperBound)")
    }

    /// A batch of `rows` finite fields of `columns` sites.
    mutating func fields(_ what: String, _ batch: FieldBatch, rows: Int, columns: Int) {
        guard count("\(what) (rows)", batch.rows, rows), count("\(what) (sites)", batch.columns, columns) else { return }
        finite(what, batch.storage)
    }

    /// HMC's chains: `chains` fields of `sites`, a stream per chain, a positive step size.
    mutating func hmc(_ what: String, _ s: HMCState, chains: Int, sites: Int, trajectoryLength: Double) {
        fields("\(what).fields", s.fields, rows: chains, columns: sites)
        count("\(what).random (streams)", s.random.count, chains)
        require(s.stepSize.isFinite && s.stepSize > 0 && s.stepSize <= trajectoryLength,
            "\(what).stepSize is \(s.stepSize), outside (0, \(trajectoryLength)]")
        require(s.accepted >= 0 && s.proposed >= s.accepted, "\(what)'s counters are \(s.accepted) of \(s.proposed)")
    }

    /// Independence Metropolis chains.
    mutating func independence(_ what: String, _ s: IndependenceState, chains: Int, sites: Int) {
        fields("\(what).fields", s.fields, rows: chains, columns: sites)
        count("\(what).logWeight", s.logWeight.count, chains)
        count("\(what).random (streams)", s.random.count, chains)
        require(s.accepted >= 0 && s.proposed >= s.accepted, "\(what)'s counters are \(s.accepted) of \(s.proposed)")
    }

    /// Seconds of wall time.
    mutating func seconds(_ what: String, _ value: Double) {
        require(value.isFinite && value >= 0, "\(what) is \(value) seconds")
    }
}
