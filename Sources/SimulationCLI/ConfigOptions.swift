import ArgumentParser
import Foundation
import Simulation
import SimulationConfig

/// The config file argument shared by every subcommand.
struct ConfigOptions: ParsableArguments {
    @Argument(help: "Path of the YAML run config (see configs/ and the README).")
    var config: String

    /// The validated config of any kind of run (`RunCatalog`); an invalid one
    /// prints every problem to standard error and exits with status 2 before
    /// any work is done.
    func loadAny() throws -> any RunnableDescription {
        do {
            return try RunCatalog.load(path: config)
        } catch let error as ConfigError {
            printError(error.description)
            throw ExitCode(2)
        }
    }

    /// The validated ground-state config; any other `mode` is refused (exit 2).
    func load() throws -> GroundStateConfiguration {
        guard let configuration = try loadAny() as? GroundStateConfiguration else {
            printError("invalid config \(config): this command takes a ground-state run (no `mode:`, or `mode: ground-state`)")
            throw ExitCode(2)
        }
        return configuration
    }

    /// Refuses (exit 2) what the run cannot do — its capabilities, `ranks` MPI
    /// ranks, a memory estimate above 80% of the machine's — before any work;
    /// returns the estimate.
    @discardableResult
    func preflight<Kind: RunnableKind>(_ run: Kind, ranks: Int = 1) throws -> MemoryEstimate {
        let issues = run.preflightIssues(ranks: ranks)
        guard issues.isEmpty else {
            printError(ConfigError(file: config, issues: issues).description)
            throw ExitCode(2)
        }
        let estimate = run.memoryEstimate()
        guard estimate.fits else {
            printError(
                "invalid config \(config): the run needs about \(MemoryEstimate.gibibytes(estimate.bytes)) (\(estimate.detail)); "
                    + "this machine has \(MemoryEstimate.gibibytes(MemoryEstimate.physicalMemory)), and a run may use 80% of it. "
                    + "Reduce the samples or the lattice.")
            throw ExitCode(2)
        }
        return estimate
    }
}
