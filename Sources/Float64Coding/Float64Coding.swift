internal import CKernels
import Foundation
import Synchronization

/// How large arrays of doubles are stored in JSON (a checkpoint's chains and
/// measurement series): their IEEE 754 bits, little-endian, as one base64
/// string — ~11 characters per number instead of ~22 as decimal, every bit kept
/// (NaN and infinity included).
///
/// JSONEncoder is slow with long strings (3.9 s for 430 MB here), so a writer
/// may collect the arrays instead (`Float64Payload` in the encoder's userInfo):
/// each is then encoded as a short placeholder, and the caller splices the
/// base64 text in afterwards (`Float64Payload.splice`) — the same bytes, written
/// ~6x faster.
public enum Float64Coding {
    /// Encodes `values` under `key`: their base64 text, or a placeholder for the
    /// payload collected by the encoder's `Float64Payload`.
    public static func encode<Key: CodingKey>(
        _ values: [Double], forKey key: Key, in container: inout KeyedEncodingContainer<Key>, encoder: any Encoder
    ) throws {
        if let payload = encoder.userInfo[Float64Payload.key] as? Float64Payload {
            try container.encode(payload.collect(values), forKey: key)
        } else {
            try container.encode(base64(values), forKey: key)
        }
    }

    /// The doubles of a base64 text of their little-endian bits.
    public static func decode(_ text: String) -> [Double]? {
        guard let bytes = Data(base64Encoded: text), bytes.count % 8 == 0 else { return nil }
        return bytes.withUnsafeBytes { raw in
            (0..<(bytes.count / 8)).map {
                Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * $0, as: UInt64.self)))
            }
        }
    }

    /// The little-endian bits of `values`.
    public static func bytes(_ values: [Double]) -> Data {
        var bytes = Data(count: values.count * 8)
        bytes.withUnsafeMutableBytes { raw in
            for (i, x) in values.enumerated() { raw.storeBytes(of: x.bitPattern.littleEndian, toByteOffset: 8 * i, as: UInt64.self) }
        }
        return bytes
    }

    public static func base64(_ values: [Double]) -> String { bytes(values).base64EncodedString() }
}

#if _endian(big)
#error("Float64Payload.splice writes the doubles' memory as their little-endian bits")
#endif

/// The arrays an encoder met, in order, each replaced in the JSON by the
/// placeholder `"<marker>:<index>"`.
public final class Float64Payload: Sendable {
    public static let key = CodingUserInfoKey(rawValue: "nqft.float64Payload")!
    static let marker = "nqft-float64-payload"

    private let arrays = Mutex<[[Double]]>([])

    public init() {}

    /// The arrays collected so far.
    public var collected: [[Double]] { arrays.withLock { $0 } }

    func collect(_ values: [Double]) -> String {
        arrays.withLock { list in
            list.append(values)
            return "\(Self.marker):\(list.count - 1)"
        }
    }

    /// `json` with each placeholder string replaced by its array's base64 text,
    /// written once into a buffer of the final size (Foundation's base64 and
    /// Data appends ran at ~150 MB/s here; this at ~1 GB/s).
    public func splice(_ json: Data) -> Data {
        let arrays = collected
        guard !arrays.isEmpty else { return json }
        let prefix = Array("\"\(Self.marker):".utf8)
        // The placeholders' positions and arrays, in order.
        var pieces: [(start: Int, end: Int, array: Int)] = []
        json.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let bytes = raw.bindMemory(to: UInt8.self)
            var i = 0
            while i + prefix.count <= bytes.count {
                guard bytes[i] == prefix[0], bytes[i..<(i + prefix.count)].elementsEqual(prefix) else {
                    i += 1
                    continue
                }
                var j = i + prefix.count, index = 0
                while j < bytes.count, bytes[j] >= 48, bytes[j] <= 57, index < 1 << 40 {
                    index = index * 10 + Int(bytes[j] - 48)
                    j += 1
                }
                if j < bytes.count, bytes[j] == 34, index < arrays.count {
                    pieces.append((i + 1, j, index))
                    i = j + 1
                } else {
                    i += 1
                }
            }
        }
        let encoded = pieces.map { (arrays[$0.array].count * 8 + 2) / 3 * 4 }
        let total = json.count - pieces.reduce(0) { $0 + $1.end - $1.start } + encoded.reduce(0, +)
        var out = Data(count: total)
        out.withUnsafeMutableBytes { (target: UnsafeMutableRawBufferPointer) in
            json.withUnsafeBytes { (source: UnsafeRawBufferPointer) in
                var copied = 0, written = 0
                for (k, piece) in pieces.enumerated() {
                    let head = piece.start - copied
                    target.baseAddress!.advanced(by: written).copyMemory(from: source.baseAddress!.advanced(by: copied), byteCount: head)
                    written += head
                    arrays[piece.array].withUnsafeBytes { values in
                        nqft_base64_encode(
                            values.baseAddress?.assumingMemoryBound(to: UInt8.self), values.count,
                            target.baseAddress!.advanced(by: written).assumingMemoryBound(to: CChar.self))
                    }
                    written += encoded[k]
                    copied = piece.end
                }
                target.baseAddress!.advanced(by: written).copyMemory(from: source.baseAddress!.advanced(by: copied), byteCount: source.count - copied)
            }
        }
        return out
    }
}

/// FNV-1a (64 bit) over little-endian 64-bit words (the last zero-padded): a
/// checksum of a file's content, eight times faster than byte by byte.
public struct WordHash {
    public private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    public init() {}

    public mutating func add(_ data: Data) {
        data.withUnsafeBytes { raw in
            let words = raw.count / 8
            for w in 0..<words {
                value ^= UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * w, as: UInt64.self))
                value &*= 0x0000_0100_0000_01b3
            }
            if raw.count % 8 != 0 {
                var last: UInt64 = 0
                for (k, byte) in raw[(8 * words)...].enumerated() { last |= UInt64(byte) << (8 * UInt64(k)) }
                value ^= last
                value &*= 0x0000_0100_0000_01b3
            }
        }
    }

    public mutating func add(_ values: [Double]) {
        for x in values {
            value ^= x.bitPattern
            value &*= 0x0000_0100_0000_01b3
        }
    }
}
