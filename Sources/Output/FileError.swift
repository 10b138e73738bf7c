import Foundation

/// A file or directory that could not be written or read, with the operating
/// system's reason: one line for the user, naming the path.
public struct FileError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    /// The error for the current `errno`, after `what` failed (if said).
    public static func errno(_ path: String, _ what: String? = nil) -> FileError {
        let reason = String(cString: strerror(Foundation.errno))
        return FileError(path: path, reason: what.map { "\($0): \(reason)" } ?? reason)
    }

    public var description: String { "\(path): \(reason)" }
}
