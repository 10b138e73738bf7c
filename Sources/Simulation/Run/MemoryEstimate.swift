import Foundation

/// The memory a run will need, estimated from its configuration before any
/// work, so a run that cannot fit is refused up front (above 80% of the
/// machine's memory, by `nqft run` and `nqft validate`) instead of dying hours in.
///
/// Counted in floating point: a config may ask for sizes whose product
/// overflows an integer, and must be refused, never trap.
public struct MemoryEstimate: Sendable {
    /// Bytes the largest phase needs, plus a fixed margin.
    public let bytes: Double
    /// What dominates it, for the message (keys and sizes).
    public let detail: String
    /// Variational parameters, for the ground state (in floating point).
    public let parameters: Double?

    public init(bytes: Double, detail: String, parameters: Double? = nil) {
        self.bytes = bytes
        self.detail = detail
        self.parameters = parameters
    }

    /// Doubles of a checkpoint per element of state while it is written: the
    /// element, its bytes, base64 text (4/3) in the encoder and in the file's data.
    static let checkpointFactor = 1 + 1 + 3 * 4.0 / 3

    /// The margin every process needs beside its data.
    static let margin = Double(64 << 20)

    /// Physical memory of this machine in bytes.
    public static var physicalMemory: Double {
        Double(sysconf(Int32(_SC_PHYS_PAGES))) * Double(sysconf(Int32(_SC_PAGESIZE)))
    }

    public static func gibibytes(_ bytes: Double) -> String { String(format: "%.3g GiB", bytes / Double(1 << 30)) }

    /// Whether the estimate fits in 80% of this machine's memory.
    public var fits: Bool { bytes <= 0.8 * Self.physicalMemory }
}
