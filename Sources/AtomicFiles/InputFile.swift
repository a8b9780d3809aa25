#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An input that could not be opened or read, with a one-line reason.
public struct InputFileError: Error, Equatable, CustomStringConvertible {
    public var path: String
    public var reason: String
    /// The `errno` of the failing call, 0 for a refused file type. `EINTR`: the stop check asked
    /// to give up while `open` or `read` waited (``isInterrupted``).
    public var code: Int32

    public init(path: String, reason: String, code: Int32 = 0) {
        self.path = path
        self.reason = reason
        self.code = code
    }

    /// The read gave up because its stop check returned `true` after a signal.
    public var isInterrupted: Bool { code == EINTR }

    public var description: String { "\(path): \(reason)" }
}

/// An input file opened for bounded reading: a regular file, or a pipe or FIFO the user gave on
/// purpose (`<(cat x)`, `/dev/stdin` when it is a pipe, a `mkfifo` FIFO). Anything else, a
/// character or block device (`/dev/zero`, a terminal), a socket or a directory, is refused
/// before it is opened, so that neither an endless stream nor a device's `open` side effects are
/// reached. The caller reads only as many bytes as it has determined it needs
/// (``read(into:upTo:)``), so memory is bounded by what the file's own header declares.
///
/// Opening a FIFO waits for a writer and reading waits for data, as any Unix reader does. A
/// signal whose handler is installed without `SA_RESTART` interrupts the wait (`EINTR`); then
/// the `shouldStop` check decides: `true` gives up with an ``InputFileError`` whose
/// ``InputFileError/isInterrupted`` is set, `false` (or no check) waits again.
public final class InputFile {
    public let path: String
    let descriptor: Int32
    /// `true` for a regular file, `false` for a pipe or FIFO.
    public let isRegular: Bool
    /// The size of a regular file when it was opened; `nil` for a pipe or FIFO.
    public let size: Int?
    /// `(st_dev, st_ino)` of the open file.
    public let identity: FileIdentity
    let shouldStop: (() -> Bool)?

    /// Opens `path` after checking its type (see the type's documentation).
    public init(opening path: String, shouldStop: (() -> Bool)? = nil) throws(InputFileError) {
        self.path = path
        self.shouldStop = shouldStop
        func refuse(_ reason: String, _ code: Int32 = 0) -> InputFileError { InputFileError(path: path, reason: reason, code: code) }
        guard !path.isEmpty else { throw refuse("the path is empty; expected a file name") }
        guard let info = POSIXIO.status(path) else {
            let code = errno
            throw refuse("open failed: \(POSIXIO.message(code))", code)
        }
        func checkType(_ mode: mode_t) throws(InputFileError) {
            let type = mode & S_IFMT
            guard type == S_IFREG || type == S_IFIFO else {
                throw refuse("is \(POSIXIO.kind(mode)); expected a regular file, a pipe or a FIFO")
            }
        }
        try checkType(info.st_mode)
        // A stop already requested would not interrupt the wait for a FIFO's writer again.
        if info.st_mode & S_IFMT == S_IFIFO, shouldStop?() == true {
            throw refuse("interrupted while waiting for a writer", EINTR)
        }
        let opened = POSIXIO.open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY, shouldStop: shouldStop)
        guard opened >= 0 else {
            throw refuse(-opened == EINTR ? "interrupted while waiting for a writer" : "cannot open: \(POSIXIO.message(-opened))", -opened)
        }
        descriptor = opened
        // The path may have been swapped between stat and open: check what was opened.
        guard let current = POSIXIO.status(descriptor: opened) else {
            let code = errno
            _ = close(opened)
            throw refuse("fstat failed: \(POSIXIO.message(code))", code)
        }
        do {
            try checkType(current.st_mode)
        } catch {
            _ = close(opened)
            throw error
        }
        isRegular = current.st_mode & S_IFMT == S_IFREG
        size = isRegular ? Int(clamping: max(current.st_size, 0)) : nil
        identity = FileIdentity(current)
    }

    deinit { _ = close(descriptor) }

    /// Appends to `buffer` until it holds `count` bytes or the file ends. Memory grows with what
    /// is actually read (geometrically from 64 KiB), not with `count`.
    public func read(into buffer: inout [UInt8], upTo count: Int) throws(InputFileError) {
        while buffer.count < count {
            let start = buffer.count
            let chunk = min(count - start, max(65_536, start))
            buffer.append(contentsOf: repeatElement(0, count: chunk))
            let result = buffer.withUnsafeMutableBytes { raw in
                cRead(descriptor, raw.baseAddress! + start, chunk)
            }
            if result < 0 {
                let code = errno
                buffer.removeSubrange(start...)
                if code == EINTR {
                    if shouldStop?() == true {
                        throw InputFileError(path: path, reason: "interrupted while waiting for data", code: EINTR)
                    }
                    continue
                }
                throw InputFileError(path: path, reason: "read failed: \(POSIXIO.message(code))", code: code)
            }
            buffer.removeSubrange((start + result)...)
            if result == 0 { return }
        }
    }
}

private func cRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    read(descriptor, buffer, count)
}
