import ExactDiagonalization
import Foundation
import Lattice
import RunEngine

/// The exact reference (`ExactReference`) as the run's last stage. Its cost is
/// bounded: exact diagonalisation may do `workBudget` floating-point operations
/// (counted, not timed, so the same config gives the same summary on any
/// machine and under any load) and is skipped with a note when it needs more
/// (a double well needs many states per site); `nqft exact` computes it
/// without a bound.
struct ReferenceStage: RunStage {
    let theory: ScalarTheory
    /// 2e10 operations: about 10 s of exact diagonalisation on the machine of
    /// BENCHMARKS.md; the bundled and validation cases need below 1e9.
    static let workBudget = 2e10

    let name = "reference"
    let divergenceRetries = 0

    func isComplete(_ state: GroundStateCheckpoint) -> Bool { state.reference != nil }

    func advance(_ state: inout GroundStateCheckpoint, _ context: StageContext) throws -> (UnitReport, Void) {
        let start = ContinuousClock.now
        guard ExactReference.isAvailable(for: theory) else {
            state.reference = ReferenceOutcome(reference: nil, note: nil, seconds: 0)
            return (UnitReport(completed: 1, total: 1, summary: "none available"), ())
        }
        do {
            let reference = try ExactReference(theory: theory, stop: context.stop, workBudget: Self.workBudget)
            state.reference = ReferenceOutcome(
                reference: reference.energyReference, note: nil, seconds: seconds(since: start))
            return (UnitReport(completed: 1, total: 1, summary: "E0 = \(reference.energy)"), ())
        } catch is WorkBudgetExceeded {
            let note = String(
                format: "exact reference skipped: exact diagonalization needs more than its budget of %.0e operations "
                    + "(many states per site, as in a double well); `nqft exact` computes it without a bound",
                Self.workBudget)
            state.reference = ReferenceOutcome(reference: nil, note: note, seconds: seconds(since: start))
            return (UnitReport(completed: 1, total: 1, summary: "skipped (work budget)"), ())
        }
    }
}
