import Foundation
import Output

/// A run directory on disk: where it is (absolute, whatever the working
/// directory), a lock that keeps a second run out, and the files a run owns.
///
/// Rules it keeps: summary.json exists only in a complete, consistent
/// directory; a fresh run (`--force`) clears the files of the old run and never
/// a foreign file; temporary files of an interrupted write are removed.
public struct RunDirectory: Sendable {
    public let url: URL
    public var path: String { url.path }

    static let lockName = ".nqft.lock"

    public init(path: String) {
        url = URL(fileURLWithPath: path).standardizedFileURL
    }

    /// The entries a user would see as the directory's contents: all but the
    /// lock and temporary files.
    public func contents() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [])
            .filter { $0 != Self.lockName && !AtomicFile.isTemporary($0) }.sorted()
    }

    /// Whether it holds a run — any kind's files, or the lock of a run at work
    /// (or of one killed before it could release it): `nqft exact` must not
    /// write there, nor a run without --force or --resume.
    public var holdsRun: Bool {
        FileManager.default.fileExists(atPath: url.appendingPathComponent(Self.lockName).path)
            || contents().contains { RunCatalog.files.contains($0) }
    }

    /// Creates the directory (with its parents) and takes its lock: this checks
    /// that it can be written before any work is done.
    ///
    /// - Throws: `FileError` naming the path when it cannot be created or
    ///   written; `RunDirectoryLocked` when another process holds the lock.
    public func prepareAndLock() throws -> RunLock {
        try Directory.create(path)
        let lock = try RunLock(path: url.appendingPathComponent(Self.lockName).path)
        for name in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] where AtomicFile.isTemporary(name) {
            try? FileManager.default.removeItem(at: url.appendingPathComponent(name))
        }
        return lock
    }

    /// The checkpoint file's bytes (what the first rank of a job hands the others).
    public func checkpointData() throws -> Data {
        let file = url.appendingPathComponent(CheckpointFile.name)
        guard let data = FileManager.default.contents(atPath: file.path) else {
            throw FileError(path: file.path, reason: "cannot be read")
        }
        return data
    }

    /// Removes the files an old run of any kind wrote (`RunCatalog.files`), nothing else.
    public func removeRunFiles() throws {
        for name in RunCatalog.files { try remove(name) }
    }

    /// Removes one file of the run if it exists.
    public func remove(_ name: String) throws {
        let file = url.appendingPathComponent(name).path
        if unlink(file) != 0 && errno != ENOENT { throw FileError.errno(file, "cannot remove") }
    }
}

/// Another process holds the run directory's lock.
public struct RunDirectoryLocked: Error, CustomStringConvertible {
    public var path: String
    public var owner: String

    public var description: String { "\(path) is in use by another nqft run (\(owner)); wait for it or choose another --output" }
}

/// An exclusive `flock` on a file in the run directory, with the owner's pid
/// written in it; released (and the file removed) by `release()` or at exit.
public final class RunLock: Sendable {
    private let path: String
    private let descriptor: Int32

    init(path: String) throws {
        self.path = path
        while true {
            let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw FileError.errno(path, "cannot create the lock file (is the directory writable?)") }
            if flock(fd, LOCK_EX | LOCK_NB) != 0 {
                let owner = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
                close(fd)
                throw RunDirectoryLocked(
                    path: (path as NSString).deletingLastPathComponent, owner: owner.map { "pid \($0)" } ?? "pid unknown")
            }
            // The holder before us may have removed the file after we opened it:
            // the lock counts only on the file that is at the path now.
            var held = stat(), current = stat()
            if fstat(fd, &held) == 0, stat(path, &current) == 0, held.st_ino == current.st_ino, held.st_dev == current.st_dev {
                let pid = "\(getpid())\n"
                _ = ftruncate(fd, 0)
                _ = pid.withCString { Foundation.write(fd, $0, strlen($0)) }
                descriptor = fd
                return
            }
            close(fd)
        }
    }

    /// Removes the lock file, then lets go of the lock.
    public func release() {
        unlink(path)
        close(descriptor)
    }
}
