import ArgumentParser
import Foundation
import Simulation

struct ExactCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exact",
        abstract: "Exact reference values for a config's theory.",
        discussion: """
            For the free theory (lambda = 0), any lattice: E0 = 1/2 sum_k omega_k, <phi^2>, \
            and the correlators G(k) = 1/(2 omega_k) and G(r), written as exact.json, \
            correlator_k.csv and correlator_r.csv. For lambda > 0 on at most 4 sites: E0 by \
            exact diagonalization in a truncated basis of single-site anharmonic-oscillator \
            states, enlarged until converged (exact.json records every truncation).
            """)

    @OptionGroup var options: ConfigOptions

    @Option(name: .long, help: "Directory for the files (default: output.directory of the config, plus '-exact').")
    var output: String?

    func run() throws {
        let configuration = try options.load()
        do {
            let reference = try ExactReference(theory: Simulation(configuration: configuration).theory)
            let directory = URL(fileURLWithPath: output ?? configuration.output.directory + "-exact")
            try reference.write(to: directory)
            print(reference.report)
            print("written to  \(directory.path)")
        } catch let error as SimulationError {
            printError("nqft exact: \(error)")
            throw ExitCode(1)
        }
    }
}
