import ArgumentParser
import Simulation
import SimulationConfig
import Yams

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a config and print the resolved run (every default filled in) and its memory estimate; does no work.")

    @OptionGroup var options: ConfigOptions

    func run() throws {
        switch try options.loadAny() {
        case .groundState(let configuration):
            let estimate = try options.checkMemory(configuration)
            try printResolved(configuration)
            print("# memory estimate: \(MemoryEstimate.gibibytes(estimate.bytes)) (\(String(format: "%.4g", estimate.parameters)) parameters)")
        case .field(let configuration):
            try printResolved(configuration)
            let mapped = configuration.mappedTheory
            print("# project convention: m2 = \(mapped.massSquared), lambda = \(mapped.coupling), phi = \(mapped.fieldScale) phi_given")
        case .network(let configuration):
            try printResolved(configuration)
        }
    }

    private func printResolved<T: Encodable>(_ configuration: T) throws {
        let encoded = try YAMLEncoder().encode(configuration)
        guard let node = try Yams.compose(yaml: encoded) else { return }
        print(try Yams.serialize(node: plainNumbers(node)), terminator: "")
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
