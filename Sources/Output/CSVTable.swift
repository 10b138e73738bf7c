/// A CSV table (RFC 4180): one header row, no comment lines, CRLF-free lines
/// ending in `\n`, fields quoted only when they must be. Numbers are written with
/// Swift's shortest round-tripping representation, i.e. full precision.
public struct CSVTable: Sendable, Equatable, Codable {
    public let header: [String]
    public private(set) var rows: [[String]] = []

    public init(header: [String]) {
        self.header = header
    }

    /// Appends a row; it must have one cell per column (a programming error
    /// otherwise, never a user's).
    public mutating func append(_ row: [CSVCell]) {
        precondition(row.count == header.count, "a row needs \(header.count) cells, got \(row.count)")
        rows.append(row.map(\.text))
    }

    /// `prefix_1 ... prefix_d`: the columns of a d-dimensional index.
    public static func columns(_ prefix: String, _ d: Int) -> [String] { (1...max(1, d)).map { "\(prefix)_\($0)" } }

    /// The cells of column `name` (nil when there is no such column).
    public func column(_ name: String) -> [String]? {
        header.firstIndex(of: name).map { i in rows.map { $0[i] } }
    }

    /// The table as RFC 4180 text.
    public var text: String {
        ([header] + rows).map { $0.map(Self.quoted).joined(separator: ",") }.joined(separator: "\n") + "\n"
    }

    private static func quoted(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// One CSV cell: a number with full precision, an integer, or text. A number
/// that is not finite — a derived value with no meaning for the data, such as
/// `omega_gauss = 1/(2 G_c)` when `G_c = 0` — is written as an empty cell.
public enum CSVCell: Sendable, Equatable {
    case number(Double)
    case integer(Int)
    case text(String)

    var text: String {
        switch self {
        case .number(let x): return x.isFinite ? "\(x)" : ""
        case .integer(let n): return "\(n)"
        case .text(let s): return s
        }
    }
}
