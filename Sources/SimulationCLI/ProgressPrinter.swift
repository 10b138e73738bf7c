import Foundation
import RunEngine

/// Shows a run's progress on standard error, stage by stage: units done of the
/// stage's total, the unit's summary (an optimisation step's energy +- error,
/// variance, acceptance), elapsed time and an estimate of the stage's time left.
/// On a terminal it is one live line, redrawn at most ten times a second; in a
/// log (CI, pipes) a plain line at most every five seconds, plus each stage's
/// first and last unit, so logs stay short whatever the step rate.
final class ProgressPrinter {
    private let start = Date()
    private var stage = ""
    private var stageStart = Date()
    private var stageFirst = 0
    private var lastPrint = Date.distantPast
    private let isTerminal = isatty(STDERR_FILENO) == 1

    func report(stage name: String, _ report: UnitReport) {
        let now = Date()
        let newStage = name != stage
        if newStage {
            if isTerminal && !stage.isEmpty { writeStandardError("\n") }
            (stage, stageStart, stageFirst) = (name, now, report.completed)
        }
        let last = report.completed == report.total
        guard newStage || last || now.timeIntervalSince(lastPrint) >= (isTerminal ? 0.1 : 5) else { return }
        lastPrint = now
        let done = report.completed - stageFirst, left = report.total - report.completed
        let remaining = done > 0 ? now.timeIntervalSince(stageStart) / Double(done) * Double(left) : 0
        let line = "\(name) \(report.completed)/\(report.total)  \(report.summary)  "
            + "\(duration(now.timeIntervalSince(start))) elapsed" + (done > 0 && left > 0 ? ", \(duration(remaining)) left" : "")
        if isTerminal {
            writeStandardError("\r\u{1B}[K" + line)
        } else {
            printError(line)
        }
    }

    /// Ends the live line.
    func finish() {
        if isTerminal && !stage.isEmpty { writeStandardError("\n") }
    }

    private func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s < 60 ? "\(s)s" : s < 3600 ? "\(s / 60)m\(String(format: "%02d", s % 60))s" : "\(s / 3600)h\(String(format: "%02d", s % 3600 / 60))m"
    }
}
