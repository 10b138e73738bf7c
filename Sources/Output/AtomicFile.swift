import Foundation

/// Writes files so that a reader never sees a half-written one: the bytes go to
/// a temporary file in the same directory (`.NAME.tmp-PID`), which is flushed
/// and then renamed over the destination (rename is atomic within a file
/// system). Failures, a full disk among them, throw a `FileError` naming the
/// path, and leave no temporary file behind.
public enum AtomicFile {
    /// The prefix and infix of temporary files, for a clean-up after a crash.
    public static func isTemporary(_ name: String) -> Bool { name.hasPrefix(".") && name.contains(".tmp-") }

    public static func write(_ data: Data, to url: URL) throws {
        let directory = url.deletingLastPathComponent()
        try Directory.create(directory.path)
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())").path
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileError.errno(url.path) }
        var failure: FileError?
        data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Foundation.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = FileError.errno(url.path)
                    return
                }
                offset += n
            }
        }
        if failure == nil, fsync(fd) != 0 { failure = FileError.errno(url.path) }
        if close(fd) != 0, failure == nil { failure = FileError.errno(url.path) }
        if failure == nil, rename(temporary, url.path) != 0 { failure = FileError.errno(url.path) }
        if let failure {
            unlink(temporary)
            throw failure
        }
    }

    public static func write(_ text: String, to url: URL) throws {
        try write(Data(text.utf8), to: url)
    }
}

/// Directories, with errors that name the path.
public enum Directory {
    /// Creates `path` and its missing parents (`mkdir -p`).
    public static func create(_ path: String) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw FileError(path: path, reason: "exists and is not a directory") }
            return
        }
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty && parent != path { try create(parent) }
        if mkdir(path, 0o755) != 0 && errno != EEXIST {
            throw FileError.errno(path, "cannot create the directory")
        }
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw FileError(path: path, reason: "cannot create the directory (a dangling symbolic link or a file is in the way)")
        }
    }
}
