import Float64Coding
import Foundation
import Output

/// checkpoint.json: a run's state with what proves it whole —
///
///     { "checksum": "fnv1a64w:HEX", "format": "nqft-checkpoint/2", "kind": MODE, "state": STATE }
///
/// The checksum is `WordHash` (FNV-1a over 64-bit words) of the state's JSON
/// as this program writes it (keys sorted, pretty-printed, non-finite numbers
/// as the strings "inf", "-inf", "nan"), with each large array of doubles (the
/// chains' fields, the measurement series) hashed as its numbers rather than as
/// its base64 text. A file that is not whole — truncated, edited, of another
/// kind or format — is refused on load with what is wrong, before any of it is
/// used; a whole state is then checked against the run's config
/// (`RunnableKind.checkResume`). Arrays are spliced in as base64 text after
/// encoding (`Float64Payload`): a checkpoint of 300 MB of series is written
/// in about a second.
public enum CheckpointFile {
    public static let name = "checkpoint.json"
    static let format = "nqft-checkpoint/2"

    struct Envelope<State: Decodable>: Decodable {
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

    public static func encode<State: Encodable>(_ state: State, kind: String) throws -> Data {
        let (json, payload, checksum) = try digest(state)
        let head = Data("{\n  \"checksum\" : \"\(checksum)\",\n  \"format\" : \"\(format)\",\n  \"kind\" : \"\(kind)\",\n  \"state\" : ".utf8)
        return payload.splice(head + json + Data("\n}\n".utf8))
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
        guard try digest(envelope.state).checksum == checksum else {
            throw refuse("fails its checksum: its content was changed after it was written (edited, or written by another program)")
        }
        return envelope.state
    }

    /// The state's JSON with its arrays as placeholders, the arrays, and the checksum of both.
    static func digest<State: Encodable>(_ state: State) throws -> (json: Data, payload: Float64Payload, checksum: String) {
        let payload = Float64Payload()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        encoder.userInfo[Float64Payload.key] = payload
        let json = try encoder.encode(state)
        var hash = WordHash()
        hash.add(json)
        for array in payload.collected { hash.add(array) }
        let hex = String(hash.value, radix: 16)
        return (json, payload, "fnv1a64w:" + String(repeating: "0", count: 16 - hex.count) + hex)
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
