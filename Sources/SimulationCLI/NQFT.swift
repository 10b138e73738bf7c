import ArgumentParser
import Foundation
import Simulation

/// The `nqft` command: lattice scalar field theory ground states by variational Monte Carlo.
public struct NQFT: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "nqft",
        abstract: "Ground states of lattice scalar field theories with variational Monte Carlo.",
        discussion: """
            A run is described by a YAML config (see configs/ and the README). Exit status: \
            0 success, 1 runtime failure, 2 invalid config or usage (nqft without a \
            subcommand prints this help and exits with 2), 128 + N when stopped by signal N.
            """,
        version: neuralQFTVersion,
        subcommands: [RunCommand.self, ValidateCommand.self, ExactCommand.self, BenchCommand.self])

    public init() {}

    /// `nqft` alone: a usage error (a subcommand is required), with the help.
    public func run() throws {
        printError(Self.helpMessage())
        throw ExitCode(2)
    }
}

extension NQFT {
    /// The process exit status for an error, with the project's convention:
    /// 0 for help and version requests, 2 for usage errors (ArgumentParser's own
    /// 64), and a command's explicit `ExitCode` as given (2 config, 1 runtime).
    public static func exitStatus(for error: any Error, duringParsing: Bool) -> Int32 {
        let code = exitCode(for: error).rawValue
        if code == 0 || error is ExitCode { return code }
        return duringParsing || code == 64 ? 2 : code
    }

    /// Parses the command line and runs the chosen command, exiting with
    /// `exitStatus(for:duringParsing:)`.
    public static func mainWithProjectExitCodes() -> Never {
        var command: any ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            let status = exitStatus(for: error, duringParsing: true)
            if status == 0 {
                exit(withError: error)
            }
            printError(fullMessage(for: error))
            Foundation.exit(status)
        }
        do {
            try command.run()
        } catch {
            let status = exitStatus(for: error, duringParsing: false)
            if !(error is ExitCode) {
                printError(fullMessage(for: error))
            }
            Job.finish()
            Foundation.exit(status)
        }
        Job.finish()
        Foundation.exit(0)
    }
}
