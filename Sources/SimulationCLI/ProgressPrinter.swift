import Foundation
import Simulation

/// Prints an optimisation step to standard error at most every two seconds,
/// plus the first and the last step, so logs stay short whatever the step rate.
final class ProgressPrinter {
    private var lastPrint = Date.distantPast
    private let start = Date()

    func report(_ record: StepRecord, total: Int) {
        let now = Date()
        guard record.step == 0 || record.step == total - 1 || now.timeIntervalSince(lastPrint) >= 2 else { return }
        lastPrint = now
        let e = record.energy
        printError(
            String(
                format: "step %d/%d  E = %.10g +- %.2g  var = %.3g  acc = %.2f  %.1fs",
                record.step + 1, total, e.mean, e.error, e.variance, record.acceptance, now.timeIntervalSince(start)))
    }
}
