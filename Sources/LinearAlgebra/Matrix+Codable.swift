import Float64Coding
import Foundation

/// A matrix encodes as its shape and its elements' IEEE 754 bits, little-endian,
/// in base64: a checkpoint of many chains' fields is then ~11 characters per
/// element instead of ~22 as decimal JSON numbers, is written and read without
/// one boxed number per element, and round-trips every bit (NaN and infinity
/// included). Checkpoints written with the element list (`storage`) still load.
extension Matrix: Codable {
    enum CodingKeys: String, CodingKey {
        case rows, columns, float64le, storage
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(rows, forKey: .rows)
        try c.encode(columns, forKey: .columns)
        try Float64Coding.encode(storage, forKey: .float64le, in: &c, encoder: encoder)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let rows = try c.decode(Int.self, forKey: .rows), columns = try c.decode(Int.self, forKey: .columns)
        let elements: [Double]
        if let text = try c.decodeIfPresent(String.self, forKey: .float64le) {
            guard let values = Float64Coding.decode(text) else {
                throw DecodingError.dataCorruptedError(forKey: .float64le, in: c, debugDescription: "not base64 of 8-byte numbers")
            }
            elements = values
        } else {
            elements = try c.decode([Double].self, forKey: .storage)
        }
        guard rows >= 0, columns >= 0, rows.multipliedReportingOverflow(by: columns) == (elements.count, false) else {
            throw DecodingError.dataCorruptedError(
                forKey: .rows, in: c, debugDescription: "\(elements.count) elements do not fill \(rows) x \(columns)")
        }
        self.init(rows: rows, columns: columns, storage: elements)
    }
}
