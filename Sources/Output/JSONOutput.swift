import Foundation

/// JSON as the run directory stores it: pretty-printed, keys sorted so files
/// diff cleanly and reproduce byte for byte. Results (summary.json) refuse NaN
/// and infinity, so a non-finite number can never be written as a result;
/// state (checkpoint.json) must round-trip every value, and writes them as the
/// strings "inf", "-inf" and "nan".
public enum JSONOutput {
    public static func encode<T: Encodable>(_ value: T, allowingNonFinite: Bool = false) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        if allowingNonFinite {
            encoder.nonConformingFloatEncodingStrategy = .convertToString(
                positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        }
        var data = try encoder.encode(value)
        data.append(UInt8(ascii: "\n"))
        return data
    }

    /// Decodes what `encode(_:allowingNonFinite: true)` wrote.
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try decoder.decode(type, from: data)
    }
}
