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

/// The POSIX read used by ``NPY/read(contentsOf:)`` (``NPY/write(_:to:)`` writes through
/// `AtomicFile` of the `AtomicFiles` module, the one atomic-write implementation). (Kept in their own namespace so the C functions
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
}
