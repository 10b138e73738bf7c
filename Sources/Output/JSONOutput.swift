import Foundation

/// JSON as the run directory stores it: pretty-printed, keys sorted so files
/// diff cleanly and reproduce byte for byte. Encoding fails on NaN or infinity,
/// so a non-finite number can never be written as a result.
public enum JSONOutput {
    public static func encode<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(value)
        data.append(UInt8(ascii: "\n"))
        return data
    }
}
