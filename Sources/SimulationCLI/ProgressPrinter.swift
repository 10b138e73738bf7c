import Foundation
import Simulation

/// Shows optimisation progress on standard error: step/total, energy +- error,
/// variance, acceptance, elapsed time and an estimate of the time left.
/// On a terminal it is one live line, redrawn at most ten times a second; in a
/// log (CI, pipes) a plain line at most every five seconds, plus the first and
/// the last step, so logs stay short whatever the step rate.
final class ProgressPrinter {
    private let start = Date()
    private var lastPrint = Date.distantPast
    private let isTerminal = isatty(STDERR_FILENO) == 1

    func report(_ record: StepRecord, total: Int) {
        let now = Date()
        let last = record.step == total - 1
        let interval = isTerminal ? 0.1 : 5
        guard record.step == 0 || last || now.timeIntervalSince(lastPrint) >= interval else { return }
        lastPrint = now
        let elapsed = now.timeIntervalSince(start)
        let remaining = elapsed / Double(record.step + 1) * Double(total - record.step - 1)
        let e = record.energy
        let line = String(
            format: "step %d/%d  E = %.10g +- %.2g  var = %.3g  acc = %.2f  %@ elapsed, %@ left",
            record.step + 1, total, e.mean, e.error, e.variance, record.acceptance,
            duration(elapsed), duration(remaining))
        if isTerminal {
            FileHandle.standardError.write(Data(("\r\u{1B}[K" + line + (last ? "\n" : "")).utf8))
        } else {
            printError(line)
        }
    }

    private func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s < 60 ? "\(s)s" : s < 3600 ? "\(s / 60)m\(String(format: "%02d", s % 60))s" : "\(s / 3600)h\(String(format: "%02d", s % 3600 / 60))m"
    }
}
