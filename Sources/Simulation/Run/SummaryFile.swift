import Foundation
import Output

/// summary.json, with the one non-finite policy of every kind of run: JSON
/// holds no NaN or infinity, and a run's number that is not finite must never
/// stop it from writing its results nor pass unnoticed. Every non-finite number
/// of a summary is written as null, and the summary's `warnings` (and the
/// terminal) name its key path. Keys are sorted.
public enum SummaryFile {
    public static let name = "summary.json"

    /// The summary's bytes and its warnings (the kind's own, then one per non-finite number).
    public static func encode(_ summary: any Encodable) throws -> (Data, [String]) {
        let marker = "\u{1}nqft-non-finite:"
        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: marker + "inf", negativeInfinity: marker + "-inf", nan: marker + "nan")
        let raw = try encoder.encode(summary)
        guard var tree = try JSONSerialization.jsonObject(with: raw) as? [String: Any] else {
            return (try JSONOutput.encode(summary), [])
        }
        var found: [String] = []
        func clean(_ node: Any, _ path: String) -> Any {
            if let text = node as? String, text.hasPrefix(marker) {
                found.append("summary key `\(path)` is \(text.dropFirst(marker.count)), written as null: the number it reports could not be computed from the data")
                return NSNull()
            }
            if let mapping = node as? [String: Any] {
                return mapping.reduce(into: [String: Any]()) { $0[$1.key] = clean($1.value, path.isEmpty ? $1.key : "\(path).\($1.key)") }
            }
            if let list = node as? [Any] {
                return list.enumerated().map { clean($1, "\(path)[\($0)]") }
            }
            return node
        }
        tree = clean(tree, "") as? [String: Any] ?? tree
        let warnings = (tree["warnings"] as? [String] ?? []) + found.sorted()
        tree["warnings"] = warnings
        var data = try JSONSerialization.data(withJSONObject: tree, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        data.append(UInt8(ascii: "\n"))
        return (data, warnings)
    }
}
