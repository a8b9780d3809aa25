#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A file-system failure with a one-line explanation (usually `strerror`).
struct FileFailure: Error {
    var message: String
}

/// Minimal POSIX file helpers used by ``NPY/read(contentsOf:)`` and
/// ``NPY/write(_:to:)``. (Kept in their own namespace so the C functions
/// `read`, `write`, `open`, ... are not shadowed by `NPY`'s methods.)
enum POSIXFile {
    /// `strerror` text for an `errno` value, prefixed with what was attempted.
    static func failure(_ action: String, _ code: Int32) -> FileFailure {
        FileFailure(message: "\(action): \(String(cString: strerror(code)))")
    }

    /// Reads the whole regular file at `path`.
    static func contents(of path: String) throws(FileFailure) -> [UInt8] {
        var descriptor: Int32
        repeat {
            descriptor = open(path, O_RDONLY | O_CLOEXEC)
        } while descriptor < 0 && errno == EINTR
        guard descriptor >= 0 else { throw failure("open failed", errno) }
        defer { _ = close(descriptor) }

        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw failure("fstat failed", errno) }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            throw FileFailure(message: "is a directory")
        }
        // Size hint + 1 so that reaching EOF normally needs no reallocation.
        var buffer = [UInt8](repeating: 0, count: Int(clamping: max(info.st_size, 0)) + 1)
        var used = 0
        while true {
            if used == buffer.count {
                buffer.append(contentsOf: repeatElement(0, count: max(buffer.count, 65536)))
            }
            let result = buffer.withUnsafeMutableBytes { raw in
                read(descriptor, raw.baseAddress! + used, raw.count - used)
            }
            if result < 0 {
                if errno == EINTR { continue }
                throw failure("read failed", errno)
            }
            if result == 0 { break }
            used += result
        }
        buffer.removeSubrange(used...)
        return buffer
    }

    /// Splits `path` into its directory (`"."` if none) and last component.
    static func split(_ path: String) -> (directory: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let directory = String(path[..<slash])
        let name = String(path[path.index(after: slash)...])
        return (directory.isEmpty ? "/" : directory, name)
    }

    /// Writes `bytes` to a fresh temporary file next to `path`, fsyncs it, runs
    /// `hook` (tests only), renames it over `path` and fsyncs the directory.
    /// On failure the temporary file is unlinked before throwing.
    static func replaceAtomically(
        path: String, with bytes: [UInt8], beforeRename hook: ((String) throws -> Void)?
    ) throws(FileFailure) {
        let (directory, name) = split(path)
        guard !name.isEmpty, name != ".", name != ".." else {
            throw FileFailure(message: "the path does not name a file")
        }

        // Create the temporary file with O_EXCL under a random name. The name is
        // short (not derived from `name`) so it can never exceed NAME_MAX.
        var temporaryPath = ""
        var descriptor: Int32 = -1
        for _ in 0..<32 {
            let token = String(UInt64.random(in: 0...UInt64.max), radix: 36)
            temporaryPath = directory + "/.npy-tmp-\(getpid())-\(token)"
            descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode_t(0o644))
            if descriptor >= 0 { break }
            let code = errno
            if code != EEXIST && code != EINTR {
                throw failure("cannot create a temporary file in '\(directory)'", code)
            }
        }
        guard descriptor >= 0 else {
            throw FileFailure(message: "cannot create a unique temporary file in '\(directory)'")
        }

        var isOpen = true
        func abandon(_ error: FileFailure) -> FileFailure {
            if isOpen { _ = close(descriptor) }
            _ = unlink(temporaryPath)
            return error
        }

        // Write everything, tolerating short writes and EINTR.
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { raw in
                write(descriptor, raw.baseAddress! + written, raw.count - written)
            }
            if result < 0 {
                if errno == EINTR { continue }
                throw abandon(failure("write failed", errno))
            }
            if result == 0 { throw abandon(FileFailure(message: "write made no progress")) }
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
                throw abandon(FileFailure(message: "\(error)"))
            }
        }

        guard rename(temporaryPath, path) == 0 else {
            throw abandon(failure("rename failed", errno))
        }

        // Make the rename itself durable; the file is already in place, so a
        // failure here is not reported.
        let directoryDescriptor = open(directory, O_RDONLY | O_CLOEXEC)
        if directoryDescriptor >= 0 {
            _ = fsync(directoryDescriptor)
            _ = close(directoryDescriptor)
        }
    }
}
