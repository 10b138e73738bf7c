import ArgumentParser
import Execution
import Foundation
import Output
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
        let directory = RunDirectory(path: output ?? configuration.output.directory + "-exact")
        // A run's correlator files have the same names: never write into a run
        // directory, nor into one a run is working in (its lock, before its first
        // checkpoint); the lock is held while writing, so no run starts there meanwhile.
        func refuse() -> ExitCode {
            printError(
                "nqft exact: \(directory.path) holds a run (\((directory.contents() + [".nqft.lock"]).prefix(5).joined(separator: ", ")));"
                    + " exact values go to a directory of their own: choose another --output")
            return ExitCode(2)
        }
        if directory.holdsRun { throw refuse() }
        StopSignal.install()
        let lock: RunLock
        do {
            lock = try directory.prepareAndLock()
        } catch let error as RunDirectoryLocked {
            printError("nqft exact: \(error)")
            throw ExitCode(2)
        } catch let error as FileError {
            printError("nqft exact: cannot write \(error)")
            throw ExitCode(2)
        }
        defer { lock.release() }
        if directory.contents().contains(where: RunCatalog.files.contains) { throw refuse() }
        do {
            let reference = try ExactReference(
                theory: GroundStateRun(configuration: configuration).theory, stop: StopSignal.check)
            try reference.write(to: directory.url)
            print(reference.report)
            print("written to  \(directory.path)")
        } catch let error as RunError {
            printError("nqft exact: \(error)")
            throw ExitCode(1)
        } catch is Interrupted {
            printError("nqft exact: stopped by signal \(StopSignal.received); nothing written")
            throw ExitCode(128 + StopSignal.received)
        } catch let error as FileError {
            printError("nqft exact: cannot write \(error)")
            throw ExitCode(1)
        }
    }
}
