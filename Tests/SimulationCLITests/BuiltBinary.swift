import Foundation
import Testing
import TestSupport

/// The release `nqft`, driven as a user drives it: a process with arguments and a
/// working directory, its standard error captured to a file that the test can
/// watch, signals sent to it, its exit status and how long it took to exit.
final class BuiltBinary {
    static let path = repositoryRoot.appendingPathComponent(".build/release/nqft").path
    static var isBuilt: Bool { FileManager.default.isExecutableFile(atPath: path) }

    let process = Process()
    let errorFile: URL
    private var signalledAt: Date?

    /// Starts `nqft arguments...` in `directory` (default: a temporary one),
    /// with `environment` added to this process's.
    init(_ arguments: [String], in directory: URL? = nil, executable: String = BuiltBinary.path, environment: [String: String] = [:]) throws {
        errorFile = try temporaryDirectory().appendingPathComponent("stderr.txt")
        _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        process.currentDirectoryURL = try directory ?? temporaryDirectory()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: errorFile)
        try process.run()
    }

    /// What the process wrote to standard error so far.
    var standardError: String { (try? String(contentsOf: errorFile, encoding: .utf8)) ?? "" }

    /// Waits until standard error contains `text` (true) or `seconds` pass or
    /// the process ends (false). Progress lines in a log come at the first and
    /// last unit of each stage and every 5 s, so wait for a stage's first line.
    func waitFor(_ text: String, seconds: Double = 60) -> Bool {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end {
            if standardError.contains(text) { return true }
            if !process.isRunning { return standardError.contains(text) }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return false
    }

    func send(_ signal: Int32) {
        signalledAt = Date()
        kill(process.processIdentifier, signal)
    }

    /// Waits for the exit (killing the process after `seconds`); returns the
    /// status and the seconds from the last signal to the exit.
    @discardableResult
    func wait(seconds: Double = 120) -> (status: Int32, afterSignal: Double) {
        let end = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < end { Thread.sleep(forTimeInterval: 0.01) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return (-1, .infinity)
        }
        return (process.terminationStatus, signalledAt.map { Date().timeIntervalSince($0) } ?? 0)
    }

    /// Runs `nqft arguments...` to the end.
    static func run(_ arguments: [String], in directory: URL? = nil) throws -> (status: Int32, standardError: String) {
        let binary = try BuiltBinary(arguments, in: directory)
        let status = binary.wait().status
        return (status, binary.standardError)
    }
}

/// Every entry of a directory, hidden ones included.
func entries(_ directory: URL) -> Set<String> {
    Set((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
}

/// Writes `text` as run.yaml in a fresh temporary directory.
func writeConfig(_ text: String) throws -> URL {
    let url = try temporaryDirectory().appendingPathComponent("run.yaml")
    try text.write(to: url, atomically: true, encoding: .utf8)
    return url
}

/// A finished run directory's summary.json.
func readSummary(_ directory: URL) throws -> [String: Any] {
    let data = try Data(contentsOf: directory.appendingPathComponent("summary.json"))
    return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
}
