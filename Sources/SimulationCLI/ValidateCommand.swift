import ArgumentParser
import Simulation
import SimulationConfig
import Yams

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a config of any kind of run and print it resolved, with its memory estimate; does no work.",
        discussion: """
            Prints the config with every default filled in (YAML), then as comments \
            what the run will need: its memory estimate and, for Euclidean runs, the \
            couplings in the project's convention. Exit status 2, with every problem \
            listed, when the config is invalid or the run would not fit in 80% of this \
            machine's memory.
            """)

    @OptionGroup var options: ConfigOptions

    func run() throws {
        try validate(options.loadAny().makeRun())
    }

    private func validate<Kind: RunnableKind>(_ run: Kind) throws {
        let estimate = try options.preflight(run)
        let encoded = try YAMLEncoder().encode(run.configuration)
        if let node = try Yams.compose(yaml: encoded) { print(try Yams.serialize(node: plainNumbers(node)), terminator: "") }
        for note in run.validationNotes() { print("# \(note)") }
        print("# memory estimate: \(MemoryEstimate.gibibytes(estimate.bytes)) (\(estimate.detail))")
    }

    /// Yams writes every Double in scientific notation (`5e-1`); a config reads
    /// better with numbers as the user writes them (`0.5`).
    private func plainNumbers(_ node: Node) -> Node {
        switch node {
        case .scalar(let scalar):
            guard scalar.style == .plain, Int(scalar.string) == nil, let value = Double(scalar.string) else { return node }
            return .scalar(.init("\(value)"))
        case .mapping(let mapping):
            return .mapping(.init(mapping.map { ($0.key, plainNumbers($0.value)) }))
        case .sequence(let sequence):
            return .sequence(.init(sequence.map(plainNumbers)))
        case .alias:
            return node
        }
    }
}
