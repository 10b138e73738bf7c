import ArgumentParser
import Simulation

/// The `nqft` command: lattice scalar field theory ground states by variational Monte Carlo.
public struct NQFT: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "nqft",
        abstract: "Ground states of lattice scalar field theories with variational Monte Carlo.",
        discussion: """
            A run is described by a YAML config (see configs/ and the README). Exit status: \
            0 success, 1 runtime failure, 2 invalid config or usage.
            """,
        version: neuralQFTVersion,
        subcommands: [RunCommand.self, ValidateCommand.self, ExactCommand.self, BenchCommand.self])

    public init() {}
}
