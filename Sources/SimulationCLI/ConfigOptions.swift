import ArgumentParser
import Foundation
import SimulationConfig

/// The config file argument shared by every subcommand.
struct ConfigOptions: ParsableArguments {
    @Argument(help: "Path of the YAML run config (see configs/).")
    var config: String

    /// The validated config; an invalid one prints every problem to standard
    /// error and exits with status 2 before any work is done.
    func load() throws -> RunConfiguration {
        do {
            return try RunConfiguration.load(path: config)
        } catch let error as ConfigError {
            printError(error.description)
            throw ExitCode(2)
        }
    }
}

/// Writes a line to standard error.
func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
