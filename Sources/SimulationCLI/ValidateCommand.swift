import ArgumentParser
import SimulationConfig
import Yams

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a config and print the resolved run (every default filled in); does no work.")

    @OptionGroup var options: ConfigOptions

    func run() throws {
        let configuration = try options.load()
        print(try YAMLEncoder().encode(configuration), terminator: "")
    }
}
