#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A file that failed to be written, with a one-line reason that keeps the operating system's
/// explanation (`strerror`, e.g. `write failed: No space left on device`).
public struct AtomicFileError: Error, Equatable, CustomStringConvertible {
    /// The file that was to be written, as given.
    public var path: String
    /// What went wrong, e.g. `rename failed: Permission denied`.
    public var reason: String
    /// The `errno` of the failing call, 0 when the failure was not a system call's (a refused
    /// path). `EINTR` means the write gave up because its stop check asked it to.
    public var code: Int32

    public init(path: String, reason: String, code: Int32 = 0) {
        self.path = path
        self.reason = reason
        self.code = code
    }

    public var description: String { "\(path): \(reason)" }
}

/// Replaces a regular file so that a reader, or the file system after a crash, sees either the
/// previous file or the complete new one, never a part:
///
/// 1. the bytes go to a fresh temporary file in the same directory (created with `O_EXCL`, so
///    two writers never share one; the same directory, so `rename(2)` stays within one file
///    system and is atomic);
/// 2. the temporary file is `fsync`ed and closed;
/// 3. it is `rename`d onto the destination;
/// 4. the directory is `fsync`ed, so that the rename itself is durable.
///
/// A failure at any step before the rename removes the temporary file and leaves the previous
/// file untouched.
///
/// Temporary files are named `.<name>.riccati-<pid>-<token>.tmp` (`<name>` the destination's
/// name, shortened at a character boundary so that the whole name fits in `NAME_MAX`), so they
/// say whose they are. A process killed during a write (`kill -9`) leaves its temporary file
/// behind; the next write to the same destination removes those of its temporaries whose
/// process no longer exists (`kill(pid, 0)` fails with `ESRCH`).
///
/// Only regular files are replaced: a destination that exists and is a device, a FIFO, a socket
/// or a directory is refused (``FileDestination`` writes devices and FIFOs in place). A symbolic
/// link to a regular file has its target replaced and stays a link.
///
/// (swift-system's `FileDescriptor` has neither `fsync` nor `rename`, so this is written on the
/// POSIX calls directly.)
public enum AtomicFile {
    /// Linux's `PATH_MAX` (bytes including the terminating NUL).
    static let pathMax = 4096

    /// Bytes a temporary name adds to the shortened destination name: `.` + `.riccati-` + pid
    /// (≤ 10 digits) + `-` + token (≤ 13 base-36 digits of a `UInt64`) + `.tmp`.
    static let temporaryOverhead = 1 + 9 + 10 + 1 + 13 + 4

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
        let destination = try FileDestination(checking: path)
        guard destination.kind == .replace else {
            let what: String
            switch destination.kind {
            case .descriptor(let number): what = "descriptor \(number)"
            case .writeThrough(let kind): what = kind
            case .replace: what = "a regular file"
            }
            throw AtomicFileError(path: path, reason: "is \(what), not a regular file; only regular files are replaced")
        }
        try replace(destination.target, with: bytes, reportingAs: path, beforeRename: hook)
    }

    /// The atomic replacement of the regular file (or new file) `target`; errors name `path`.
    static func replace(_ target: String, with bytes: [UInt8], reportingAs path: String,
                        beforeRename hook: ((String) throws -> Void)?) throws(AtomicFileError) {
        func failure(_ action: String, _ code: Int32) -> AtomicFileError {
            AtomicFileError(path: path, reason: "\(action): \(POSIXIO.message(code))", code: code)
        }
        let (directory, name) = split(target)
        guard !name.isEmpty, name != ".", name != ".." else {
            throw AtomicFileError(path: path, reason: "the path does not name a file")
        }
        let nameMax = nameMax(directory)
        removeStaleTemporaries(of: name, in: directory, nameMax: nameMax)

        // The new file keeps the permission bits of the one it replaces.
        let mode = POSIXIO.status(target).map { $0.st_mode & 0o777 } ?? mode_t(0o644)
        var temporaryPath = ""
        var descriptor: Int32 = -1
        for _ in 0..<32 {
            let token = String(UInt64.random(in: 0...UInt64.max), radix: 36)
            temporaryPath = directory + "/" + temporaryName(for: name, pid: getpid(), token: token, nameMax: nameMax)
            descriptor = POSIXIO.open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode)
            if descriptor >= 0 { break }
            if -descriptor != EEXIST {
                throw failure("cannot create a temporary file in '\(directory)'", -descriptor)
            }
        }
        guard descriptor >= 0 else {
            throw AtomicFileError(path: path, reason: "cannot create a unique temporary file in '\(directory)'")
        }
        _ = fchmod(descriptor, mode)   // O_CREAT's mode is reduced by the umask, as a new file's

        var isOpen = true
        func abandon(_ error: AtomicFileError) -> AtomicFileError {
            if isOpen { _ = close(descriptor) }
            _ = unlink(temporaryPath)
            return error
        }

        let code = POSIXIO.writeAll(descriptor, bytes)
        if code != 0 { throw abandon(failure("write failed", code)) }
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

        guard rename(temporaryPath, target) == 0 else {
            throw abandon(failure("rename failed", errno))
        }

        // The file is in place; a failure to make the rename durable is not reported.
        let directoryDescriptor = POSIXIO.open(directory, O_RDONLY | O_CLOEXEC)
        if directoryDescriptor >= 0 {
            _ = fsync(directoryDescriptor)
            _ = close(directoryDescriptor)
        }
    }

    /// `path`'s directory (`"."` if none, `"/"` for a file at the root) and last component.
    /// Plain string handling: no normalisation, so `x`, `.`, `a/` and `/x` all split safely.
    static func split(_ path: String) -> (directory: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let directory = String(path[..<slash])
        let name = String(path[path.index(after: slash)...])
        return (directory.isEmpty ? "/" : directory, name)
    }

    /// The file system's `NAME_MAX` for `directory` (255 when it cannot be asked).
    static func nameMax(_ directory: String) -> Int {
        let value = pathconf(directory, Int32(_PC_NAME_MAX))
        return value > 0 ? min(value, 4096) : 255
    }

    /// `name` shortened (at a Unicode scalar boundary) so that a temporary name built on it fits.
    static func temporaryStem(_ name: String, nameMax: Int) -> String {
        let budget = max(nameMax - temporaryOverhead, 1)
        guard name.utf8.count > budget else { return name }
        var stem = ""
        var used = 0
        for scalar in name.unicodeScalars {
            let size = String(scalar).utf8.count
            if used + size > budget { break }
            stem.unicodeScalars.append(scalar)
            used += size
        }
        return stem
    }

    /// `.<stem>.riccati-<pid>-<token>.tmp`.
    static func temporaryName(for name: String, pid: Int32, token: String, nameMax: Int) -> String {
        "." + temporaryStem(name, nameMax: nameMax) + ".riccati-\(pid)-\(token).tmp"
    }

    /// The longest temporary name of `name` (for the `PATH_MAX` check).
    static func temporaryNameLimit(_ name: String, nameMax: Int) -> Int {
        temporaryStem(name, nameMax: nameMax).utf8.count + temporaryOverhead
    }

    /// The process id a temporary name of `name` carries, or `nil` if `entry` is not one.
    public static func temporaryOwner(_ entry: String, of name: String, nameMax: Int = 255) -> Int32? {
        let prefix = "." + temporaryStem(name, nameMax: nameMax) + ".riccati-"
        guard entry.hasPrefix(prefix), entry.hasSuffix(".tmp") else { return nil }
        let middle = entry.dropFirst(prefix.count).dropLast(4)
        guard let dash = middle.firstIndex(of: "-") else { return nil }
        let pid = middle[..<dash], token = middle[middle.index(after: dash)...]
        guard !pid.isEmpty, pid.count <= 10, pid.allSatisfy({ $0.isASCII && $0.isNumber }),
              !token.isEmpty, token.allSatisfy({ $0.isASCII && ($0.isNumber || $0.isLowercase) }) else { return nil }
        return Int32(pid)
    }

    /// Removes the regular files in `directory` that are temporaries of `name` whose process no
    /// longer exists. Best effort: failures are ignored (the write itself reports real problems).
    /// Returns the names removed.
    @discardableResult
    public static func removeStaleTemporaries(of name: String, in directory: String, nameMax: Int = 255) -> [String] {
        guard let folder = opendir(directory) else { return [] }
        defer { closedir(folder) }
        var stale: [String] = []
        while let entry = readdir(folder) {
            let entryName = withUnsafePointer(to: &entry.pointee.d_name) { pointer in
                pointer.withMemoryRebound(to: CChar.self, capacity: MemoryLayout.size(ofValue: entry.pointee.d_name)) {
                    String(cString: $0)
                }
            }
            guard let pid = temporaryOwner(entryName, of: name, nameMax: nameMax), pid > 0, pid != getpid() else { continue }
            guard kill(pid, 0) != 0, errno == ESRCH else { continue }
            stale.append(entryName)
        }
        var removed: [String] = []
        for entryName in stale {
            let path = directory + "/" + entryName
            guard let info = POSIXIO.status(path, followLinks: false), info.st_mode & S_IFMT == S_IFREG else { continue }
            if unlink(path) == 0 { removed.append(entryName) }
        }
        return removed
    }
}
