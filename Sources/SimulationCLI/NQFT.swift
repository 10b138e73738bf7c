import ArgumentParser
import Foundation
import Simulation

/// The `nqft` command: lattice scalar field theories simulated with neural networks.
public struct NQFT: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "nqft",
        abstract: "Lattice scalar field theories with neural networks: ground states, Euclidean ensembles, network field theories.",
        discussion: """
            A run is described by a YAML config (see configs/ and the README); its `mode:` \
            chooses the kind of run: `ground-state` (the default: a neural-network \
            wavefunction optimised by variational Monte Carlo, then measured), \
            `euclidean` (field configurations sampled from exp(-S) by HMC or a trained \
            normalizing flow), `path-integral` (the ground-state energy from Euclidean \
            paths at several temporal spacings, extrapolated to eps -> 0) or `nnft` \
            (ensembles of random networks as field theories: their correlators against \
            the exact kernels, phi^4 from deformed ensembles). Every number comes with its \
            error and, where one exists, an exact or independent reference. Exit status: \
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
