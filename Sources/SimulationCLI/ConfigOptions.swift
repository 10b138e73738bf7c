import ArgumentParser
import Foundation
import Simulation
import SimulationConfig

/// The config file argument shared by every subcommand.
struct ConfigOptions: ParsableArguments {
    @Argument(help: "Path of the YAML run config (see configs/).")
    var config: String

    /// The validated config of any kind of run; an invalid one prints every
    /// problem to standard error and exits with status 2 before any work is done.
    func loadAny() throws -> ConfiguredRun {
        do {
            let run = try ConfiguredRun.load(path: config)
            if case .groundState(let configuration) = run {
                let issues = Simulation.capabilityIssues(configuration)
                guard issues.isEmpty else { throw ConfigError(file: config, issues: issues) }
            }
            return run
        } catch let error as ConfigError {
            printError(error.description)
            throw ExitCode(2)
        }
    }

    /// The validated ground-state config; any other `mode` is refused (exit 2).
    func load() throws -> RunConfiguration {
        guard case .groundState(let configuration) = try loadAny() else {
            printError("invalid config \(config): this command takes a ground-state run (no `mode:`, or `mode: ground-state`)")
            throw ExitCode(2)
        }
        return configuration
    }

    /// Refuses (exit 2) a run whose memory estimate exceeds 80% of the machine's
    /// memory; returns the estimate.
    @discardableResult
    func checkMemory(_ configuration: RunConfiguration) throws -> MemoryEstimate {
        let estimate = MemoryEstimate(configuration: configuration)
        let available = MemoryEstimate.physicalMemory
        if !(estimate.bytes <= 0.8 * available) {
            printError(
                "invalid config \(config): the run needs about \(MemoryEstimate.gibibytes(estimate.bytes)) "
                    + "(\(String(format: "%.4g", estimate.parameters)) parameters, optimizer.samples = \(configuration.optimizer.samples), "
                    + "evaluation.samples = \(configuration.evaluation.samples)); this machine has "
                    + "\(MemoryEstimate.gibibytes(available)). Reduce evaluation.samples, optimizer.samples or the lattice.")
            throw ExitCode(2)
        }
        return estimate
    }
}

