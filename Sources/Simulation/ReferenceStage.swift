import Execution
import Foundation
import Lattice
import RunEngine

/// The exact reference (`ExactReference`) as the run's last stage. Its cost is
/// bounded: exact diagonalisation gets `max(minimumSeconds, fraction x the run's
/// time so far)` and is skipped with a note when it needs more (a double well
/// needs many states per site); `nqft exact` computes it without a bound.
struct ReferenceStage: RunStage {
    let theory: ScalarTheory
    /// The share of the run's own time the reference may take, and the floor.
    static let fraction = 0.1
    static let minimumSeconds = 2.0

    let name = "reference"
    let divergenceRetries = 0

    func isComplete(_ state: Checkpoint) -> Bool { state.reference != nil }

    func advance(_ state: inout Checkpoint, _ context: StageContext) throws -> (UnitReport, Void) {
        let start = ContinuousClock.now
        guard ExactReference.isAvailable(for: theory) else {
            state.reference = ReferenceOutcome(reference: nil, note: nil, seconds: 0)
            return (UnitReport(completed: 1, total: 1, summary: "none available"), ())
        }
        let runSeconds = state.optimization.seconds + (state.evaluation?.seconds ?? 0)
        let budget = max(Self.minimumSeconds, Self.fraction * runSeconds)
        do {
            let reference = try ExactReference(theory: theory, stop: context.stop, deadline: Deadline(seconds: budget))
            state.reference = ReferenceOutcome(
                reference: reference.energyReference, note: nil, seconds: seconds(since: start))
            return (UnitReport(completed: 1, total: 1, summary: "E0 = \(reference.energy)"), ())
        } catch is DeadlineExceeded {
            let note = String(
                format: "exact reference skipped: exact diagonalization did not finish within its budget of %.0f s "
                    + "(the larger of %.0f s and %.0f%% of the run); `nqft exact` computes it without a bound",
                budget, Self.minimumSeconds, 100 * Self.fraction)
            state.reference = ReferenceOutcome(reference: nil, note: note, seconds: seconds(since: start))
            return (UnitReport(completed: 1, total: 1, summary: "skipped (time budget)"), ())
        }
    }
}
