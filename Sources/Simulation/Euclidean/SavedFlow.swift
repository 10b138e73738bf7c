import Foundation
import Lattice
import NormalizingFlows
import Output
import SimulationConfig

/// A trained flow as a run leaves it (flow.json): its architecture, its
/// parameters and where they came from — enough to sample with it again or to
/// train on from it, on the same or a larger lattice (`flow.initial`):
///
///     { "checksum": "fnv1a64w:HEX", "format": "nqft-flow/1", "flow": {...} }
///
/// The checksum is the checkpoint's (`CheckpointFile`), so a file that was
/// truncated or edited is refused before any of it is used.
public struct SavedFlow: Codable, Sendable, Equatable {
    public var kind: FlowKind
    public var dimension: Int
    public var layers: Int
    public var hidden: [Int]?
    public var kernel: Int?
    public var features: Int?
    public var channels: Int?
    public var parameters: [Double]
    public var provenance: Provenance

    public struct Provenance: Codable, Sendable, Equatable {
        public var version: String
        /// The last lattice trained on (the run's).
        public var lattice: [Int]
        public var convention: ActionConvention
        /// The couplings as given, and in the project's convention.
        public var given: [String: Double]
        public var project: [String: Double]
        public var seed: UInt64
        public var batch: Int
        public var steps: Int
        public var seconds: Double
        /// Each lattice of the training schedule: its steps and seconds.
        public var schedule: [Phase]
        /// The last step's loss and divergence estimate per site, and the last validation's pooled ESS.
        public var finalLoss: Double?
        public var finalDivergence: Double?
        public var validationESS: Double?
        /// The saved flow this one was trained from.
        public var initial: String?

        public struct Phase: Codable, Sendable, Equatable {
            public var extent: [Int]
            public var steps: Int
            public var seconds: Double
        }

        enum CodingKeys: String, CodingKey {
            case version, lattice, convention, given, project, seed, batch, steps, seconds, schedule, initial
            case finalLoss = "final_loss_per_site", finalDivergence = "final_kl_per_site", validationESS = "validation_ess"
        }
    }

    public static let name = "flow.json"
    static let format = "nqft-flow/1"

    struct Envelope: Decodable {
        var format: String?
        var checksum: String?
        var flow: SavedFlow?
    }

    public func encoded() throws -> Data {
        let (json, payload, checksum) = try CheckpointFile.digest(self)
        let head = Data("{\n  \"checksum\" : \"\(checksum)\",\n  \"format\" : \"\(Self.format)\",\n  \"flow\" : ".utf8)
        return payload.splice(head + json + Data("\n}\n".utf8))
    }

    /// The saved flow at `path`, or why it is not one.
    public static func load(_ path: String) -> Result<SavedFlow, FlowFileError> {
        guard let data = FileManager.default.contents(atPath: path) else { return .failure(.init("cannot be read (no such file, or not readable)")) }
        guard let envelope = try? JSONOutput.decode(Envelope.self, from: data) else {
            return .failure(.init("is not a saved flow (not JSON, or not in its form: truncated or edited?)"))
        }
        guard envelope.format == format, let checksum = envelope.checksum, let flow = envelope.flow else {
            return .failure(.init("is not a saved flow of this nqft (format \(envelope.format ?? "none"), expected \(format))"))
        }
        guard (try? CheckpointFile.digest(flow).checksum) == checksum else {
            return .failure(.init("fails its checksum: it was changed after it was written (edited, or written by another program)"))
        }
        return .success(flow)
    }

    /// Why this flow cannot start `section`'s training on lattices `extent`
    /// (the schedule's first) of `dimension`: empty when it can.
    public func incompatibilities(with section: EuclideanConfiguration.FlowSection, first extent: [Int]) -> [String] {
        var problems: [String] = []
        if kind != section.kind { problems.append("it is a `\(kind.rawValue)` flow; this run's is `\(section.kind.rawValue)`") }
        if dimension != extent.count { problems.append("it was trained in \(dimension) dimensions; this run's lattice has \(extent.count)") }
        var mine: [String] = [], theirs: [String] = []
        for (key, a, b) in [
            ("layers", "\(layers)", "\(section.layers)"), ("hidden", "\(hidden ?? [])", "\(section.hidden ?? [])"),
            ("kernel", "\(kernel ?? 0)", "\(section.kernel ?? 0)"), ("features", "\(features ?? 0)", "\(section.features ?? 0)"),
            ("channels", "\(channels ?? 0)", "\(section.channels ?? 0)"),
        ] where a != b && kind == section.kind {
            mine.append("\(key) \(a)")
            theirs.append("\(key) \(b)")
        }
        if !mine.isEmpty { problems.append("its architecture (\(mine.joined(separator: ", "))) is not the config's (\(theirs.joined(separator: ", ")))") }
        if dimension == extent.count, zip(extent, provenance.lattice).contains(where: { $0 < $1 }) {
            problems.append(
                "it was trained on \(provenance.lattice), larger than \(extent) where this run starts: a flow transfers to the same or larger lattices")
        }
        if !parameters.allSatisfy(\.isFinite) { problems.append("its parameters are not all finite") }
        if problems.isEmpty, let expected = expectedParameterCount, parameters.count != expected {
            problems.append("it has \(parameters.count) parameters; its architecture has \(expected)")
        }
        return problems
    }

    /// The parameter count of the architecture the file declares.
    var expectedParameterCount: Int? {
        kind.parameterCount(dimension: dimension, layers: layers, hidden: hidden, kernel: kernel, features: features, channels: channels)
    }
}

extension FlowKind {
    /// The parameter count of a flow of this kind and architecture in
    /// `dimension` dimensions, on any lattice (nil: the architecture is incomplete).
    func parameterCount(dimension: Int, layers: Int, hidden: [Int]?, kernel: Int?, features: Int?, channels: Int?) -> Int? {
        switch self {
        case .realNVP:
            guard let hidden, let kernel else { return nil }
            return AffineCouplingFlow.parameterCount(dimension: dimension, layers: layers, hidden: hidden, kernel: kernel)
        case .kernelCoupling:
            guard let features, let channels else { return nil }
            return KernelCouplingFlow.parameterCount(dimension: dimension, layers: layers, features: features, channels: channels)
        }
    }
}

/// Why a file is not a flow this run can start from (`flow.initial`, exit 2).
public struct FlowFileError: Error, CustomStringConvertible {
    public let description: String
    init(_ why: String) { description = why }
}
