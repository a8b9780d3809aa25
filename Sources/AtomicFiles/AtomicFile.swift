#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A file that failed to be written, with a one-line reason (usually `strerror`).
public struct AtomicFileError: Error, Equatable, CustomStringConvertible {
    /// The file that was to be replaced.
    public var path: String
    /// What went wrong, e.g. `rename failed: Permission denied`.
    public var reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "\(path): \(reason)" }
}

/// Replaces a file so that a reader, or the file system after a crash, sees either the previous
/// file or the complete new one, never a part:
///
/// 1. the bytes go to a fresh temporary file in the same directory (created with `O_EXCL` under
///    a random name, so two writers never share one; the same directory, so `rename(2)` stays
///    within one file system and is atomic);
/// 2. the temporary file is `fsync`ed and closed;
/// 3. it is `rename`d onto the destination;
/// 4. the directory is `fsync`ed, so that the rename itself is durable.
///
/// A failure at any step before the rename removes the temporary file and leaves the previous
/// file untouched. Temporary files are named `.atomic-<pid>-<token>.tmp`.
///
/// (swift-system's `FileDescriptor` has neither `fsync` nor `rename`, so this is written on the
/// POSIX calls directly.)
public enum AtomicFile {
    /// Writes `text` as UTF-8.
    public static func write(_ text: String, to path: String) throws(AtomicFileError) {
        try write(Array(text.utf8), to: path)
    }

    /// Writes `bytes` to `path`.
    public static func write(_ bytes: [UInt8], to path: String) throws(AtomicFileError) {
        try write(bytes, to: path, beforeRename: nil)
    }

    /// ``write(_:to:)-(_,String)`` with a hook that runs after the temporary file has been
    /// written, synced and closed, just before the rename. It receives the temporary path;
    /// throwing from it simulates a failure at that point (tests).
    public static func write(_ bytes: [UInt8], to path: String,
                             beforeRename hook: ((String) throws -> Void)?) throws(AtomicFileError) {
        func failure(_ action: String, _ code: Int32) -> AtomicFileError {
            AtomicFileError(path: path, reason: "\(action): \(String(cString: strerror(code)))")
        }
        let (directory, name) = split(path)
        guard !name.isEmpty, name != ".", name != ".." else {
            throw AtomicFileError(path: path, reason: "the path does not name a file")
        }

        // The temporary name is short (not derived from `name`), so it never exceeds NAME_MAX.
        var temporaryPath = ""
        var descriptor: Int32 = -1
        for _ in 0..<32 {
            let token = String(UInt64.random(in: 0...UInt64.max), radix: 36)
            temporaryPath = directory + "/.atomic-\(getpid())-\(token).tmp"
            descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode_t(0o644))
            if descriptor >= 0 { break }
            let code = errno
            if code != EEXIST && code != EINTR {
                throw failure("cannot create a temporary file in '\(directory)'", code)
            }
        }
        guard descriptor >= 0 else {
            throw AtomicFileError(path: path, reason: "cannot create a unique temporary file in '\(directory)'")
        }

        var isOpen = true
        func abandon(_ error: AtomicFileError) -> AtomicFileError {
            if isOpen { _ = close(descriptor) }
            _ = unlink(temporaryPath)
            return error
        }

        // Everything, tolerating short writes and EINTR.
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { raw in
                systemWrite(descriptor, raw.baseAddress! + written, raw.count - written)
            }
            if result < 0 {
                if errno == EINTR { continue }
                throw abandon(failure("write failed", errno))
            }
            if result == 0 { throw abandon(AtomicFileError(path: path, reason: "write made no progress")) }
            written += result
        }
        while fsync(descriptor) != 0 {
            if errno != EINTR { throw abandon(failure("fsync failed", errno)) }
        }
        isOpen = false
        if close(descriptor) != 0 && errno != EINTR {
            throw abandon(failure("close failed", errno))
        }

        if let hook {
            do {
                try hook(temporaryPath)
            } catch {
                throw abandon(AtomicFileError(path: path, reason: "\(error)"))
            }
        }

        guard rename(temporaryPath, path) == 0 else {
            throw abandon(failure("rename failed", errno))
        }

        // The file is in place; a failure to make the rename durable is not reported.
        let directoryDescriptor = open(directory, O_RDONLY | O_CLOEXEC)
        if directoryDescriptor >= 0 {
            _ = fsync(directoryDescriptor)
            _ = close(directoryDescriptor)
        }
    }

    /// `path`'s directory (`"."` if none, `"/"` for a file at the root) and last component.
    static func split(_ path: String) -> (directory: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let directory = String(path[..<slash])
        let name = String(path[path.index(after: slash)...])
        return (directory.isEmpty ? "/" : directory, name)
    }
}

/// The C `write(2)` (inside ``AtomicFile`` the name means its own methods).
private func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, buffer, count)
}
