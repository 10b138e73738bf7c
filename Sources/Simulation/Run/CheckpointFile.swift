import Foundation
import Output

/// checkpoint.json: a run's state with what proves it whole —
///
///     { "format": "nqft-checkpoint/2", "kind": MODE, "checksum": "fnv1a64:HEX", "state": STATE }
///
/// where the checksum is FNV-1a (64 bit) of the state's canonical JSON (keys
/// sorted, no whitespace, non-finite numbers as the strings "inf", "-inf",
/// "nan"). A file that is not whole — truncated, edited, of another kind or
/// format — is refused on load with what is wrong, before any of it is used;
/// a state that is whole is then checked against the run's config
/// (`RunnableKind.checkResume`).
public enum CheckpointFile {
    public static let name = "checkpoint.json"
    static let format = "nqft-checkpoint/2"

    struct Envelope<State: Codable>: Codable {
        var format: String
        var kind: String
        var checksum: String
        var state: State
    }

    /// Only the envelope's labels, to name a file's kind before its state is decoded.
    struct Labels: Decodable {
        var format: String?
        var kind: String?
        var checksum: String?
    }

    public static func encode<State: Codable>(_ state: State, kind: String) throws -> Data {
        let envelope = Envelope(format: format, kind: kind, checksum: try checksum(state), state: state)
        return try JSONOutput.encode(envelope, allowingNonFinite: true)
    }

    /// - Throws: `RunError.checkpointMismatch` saying what is wrong with the file.
    public static func decode<State: Codable>(_ type: State.Type, kind: String, from data: Data, path: String) throws -> State {
        func refuse(_ why: String) -> RunError { .checkpointMismatch("\(path) \(why)") }
        guard let labels = try? JSONOutput.decode(Labels.self, from: data) else {
            throw refuse("is not JSON (truncated or edited?)")
        }
        guard labels.format == format, let checksum = labels.checksum else {
            throw refuse("is not a checkpoint of this nqft (format \(labels.format ?? "none"), expected \(format))")
        }
        guard labels.kind == kind else {
            throw refuse("is the checkpoint of a `\(labels.kind ?? "unknown")` run, not of this `\(kind)` run")
        }
        let envelope: Envelope<State>
        do {
            envelope = try JSONOutput.decode(Envelope<State>.self, from: data)
        } catch let error as DecodingError {
            throw refuse("does not hold a \(kind) run's state: \(describe(error))")
        }
        guard try Self.checksum(envelope.state) == checksum else {
            throw refuse("fails its checksum: its content was changed after it was written (edited, or written by another program)")
        }
        return envelope.state
    }

    /// `fnv1a64:` and 16 hex digits of the state's canonical JSON.
    static func checksum<State: Encodable>(_ state: State) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in try encoder.encode(state) {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return "fnv1a64:" + String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// A decoding error as a key path and what was wrong there.
    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
                .trimmingCharacters(in: CharacterSet(charactersIn: "."))
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "`\([path(context), key.stringValue].filter { !$0.isEmpty }.joined(separator: "."))` is missing"
        case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
            return "`\(path(context))` is not a \(type)"
        case .dataCorrupted(let context):
            return "`\(path(context))`: \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }
}
