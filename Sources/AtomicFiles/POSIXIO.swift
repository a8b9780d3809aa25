#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The POSIX calls the module is built on, kept in one namespace so that the C functions are not
/// shadowed by methods of the same name (`write`, `read`, `open`, `stat`).
public enum POSIXIO {
    /// `strerror(code)` as a Swift string.
    public static func message(_ code: Int32) -> String { String(cString: strerror(code)) }

    /// Writes all of `bytes` to `descriptor`, retrying after `EINTR` and continuing after short
    /// writes. Returns 0 on success, otherwise the `errno` of the failing call (`EPIPE` for a
    /// closed pipe when `SIGPIPE` is ignored, `EBADF` for a closed descriptor, `ENOSPC` for a full
    /// disk or `/dev/full`). `shouldStop` is consulted after `EINTR` and after a short write (what
    /// a signal leaves when it interrupts a write that had transferred some bytes); when it returns
    /// `true` the loop gives up with `EINTR`.
    public static func writeAll(_ descriptor: Int32, _ bytes: [UInt8], shouldStop: (() -> Bool)? = nil) -> Int32 {
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { raw in
                cWrite(descriptor, raw.baseAddress! + written, raw.count - written)
            }
            if result < 0 {
                let code = errno
                if code == EINTR {
                    if shouldStop?() == true { return EINTR }
                    continue
                }
                return code
            }
            if result == 0 { return EIO }
            written += result
            // A blocking write returns short only when a signal interrupted it after some bytes.
            if written < bytes.count, shouldStop?() == true { return EINTR }
        }
        return 0
    }

    /// `open(2)`, retried after `EINTR` unless `shouldStop` says to give up (then `EINTR`).
    /// Returns the descriptor or `-errno`.
    static func open(_ path: String, _ flags: Int32, _ mode: mode_t = 0, shouldStop: (() -> Bool)? = nil) -> Int32 {
        while true {
            let descriptor = cOpen(path, flags, mode)
            if descriptor >= 0 { return descriptor }
            let code = errno
            if code == EINTR {
                if shouldStop?() == true { return -EINTR }
                continue
            }
            return -code
        }
    }

    /// `stat(2)` (following symbolic links) or `lstat(2)`; `nil` with `errno` set on failure.
    static func status(_ path: String, followLinks: Bool = true) -> stat? {
        var info = stat()
        let result = followLinks ? stat(path, &info) : lstat(path, &info)
        return result == 0 ? info : nil
    }

    /// `fstat(2)`; `nil` with `errno` set on failure.
    static func status(descriptor: Int32) -> stat? {
        var info = stat()
        return fstat(descriptor, &info) == 0 ? info : nil
    }

    /// The kind of file `mode` describes, as a phrase for messages.
    static func kind(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFREG: return "a regular file"
        case S_IFDIR: return "a directory"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFIFO: return "a FIFO"
        case S_IFSOCK: return "a socket"
        case S_IFLNK: return "a symbolic link"
        default: return "a special file"
        }
    }

    /// `realpath(3)`, or `nil` with `errno` set.
    static func resolved(_ path: String) -> String? {
        guard let pointer = realpath(path, nil) else { return nil }
        defer { free(pointer) }
        return String(cString: pointer)
    }
}

private func cWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, buffer, count)
}

private func cOpen(_ path: String, _ flags: Int32, _ mode: mode_t) -> Int32 {
    open(path, flags, mode)
}
