#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A file's identity on its file system: `(st_dev, st_ino)` of `stat(2)`, which two paths share
/// exactly when they name the same file (through links, `..`, bind mounts or `/dev/fd`).
public struct FileIdentity: Hashable, Sendable, CustomStringConvertible {
    public var device: UInt64
    public var inode: UInt64

    public init(device: UInt64, inode: UInt64) {
        self.device = device
        self.inode = inode
    }

    init(_ info: stat) {
        self.init(device: UInt64(truncatingIfNeeded: info.st_dev), inode: UInt64(truncatingIfNeeded: info.st_ino))
    }

    /// The identity of the file `path` names (following symbolic links), or `nil` if there is none.
    public static func of(path: String) -> FileIdentity? {
        POSIXIO.status(path).map(FileIdentity.init)
    }

    /// The identity of the file open on `descriptor`, or `nil` if it is not open.
    public static func of(descriptor: Int32) -> FileIdentity? {
        POSIXIO.status(descriptor: descriptor).map(FileIdentity.init)
    }

    public var description: String { "\(device):\(inode)" }
}

/// Where an output path leads and how it will be written, decided by the checks a command runs
/// before any work (``init(checking:)``), and written by ``write(_:shouldStop:)``, which decides
/// again at that moment.
///
/// The rules, those of a Unix tool:
/// - `-`, `/dev/stdout`, `/dev/stderr`, `/dev/fd/N` and `/proc/self/fd/N` are the process's own
///   descriptor (1, 2 or N): the bytes are written to it as it is (appending if the shell opened
///   it with `>>`, into a pipe, a terminal or a file), never re-opened or replaced.
/// - An existing character device or FIFO (`/dev/null`, `/dev/full`, a `mkfifo` pipe), also
///   behind symbolic links, and any file under `/proc`, is opened for writing (`O_WRONLY`, no
///   `O_CREAT`) and written: it is never replaced by a regular file. Opening a FIFO waits for a
///   reader, as `echo > fifo` does.
/// - A regular file, existing or new, is replaced atomically (``AtomicFile``). A symbolic link to
///   a regular file has its *target* replaced (the path is resolved with `realpath(3)`), and the
///   link stays: the file the user named is what changes, and a link farm (dotfiles, a results
///   folder pointing into a data volume) keeps working. A dangling link is refused rather than
///   guessed at.
/// - Refused: an empty path, a path ending in `/`, a directory, a block device, a socket, a
///   read-only regular file (mode without any write bit, or not writable by this user: it is
///   not silently replaced even by root), a missing or non-writable directory, a name longer than
///   the file system's `NAME_MAX`, and a path whose temporary file would exceed `PATH_MAX`.
public struct FileDestination: Sendable, Equatable {
    /// How the destination is written.
    public enum Kind: Sendable, Equatable {
        /// An open descriptor of the process (1 for `-` and `/dev/stdout`).
        case descriptor(Int32)
        /// An existing non-regular file (or a file under `/proc`) opened and written in place;
        /// `kind` is a phrase such as "a character device".
        case writeThrough(kind: String)
        /// A regular file, replaced atomically.
        case replace
    }

    /// The path as given.
    public let path: String
    /// The path actually opened or replaced: a symbolic link's resolved target, else ``path``.
    public let target: String
    public let kind: Kind
    /// `(st_dev, st_ino)` of the existing file (or of the descriptor's file), `nil` for a new file.
    public let identity: FileIdentity?
    /// For a regular destination, its canonical path (the resolved directory and the name), which
    /// tells two new files apart; `nil` otherwise.
    public let canonicalPath: String?

    /// Runs every check the final write would fail on; throws a one-line reason.
    public init(checking path: String) throws(AtomicFileError) {
        self.path = path
        func refuse(_ reason: String) -> AtomicFileError { AtomicFileError(path: path, reason: reason) }
        guard !path.isEmpty else { throw refuse("the path is empty; expected a file name") }
        guard !path.utf8.contains(0) else { throw refuse("the path contains a NUL byte") }

        // A link (one level) to /dev/stdout, /dev/fd/N or /proc/self/fd/N is that descriptor.
        let linkTarget = POSIXIO.status(path, followLinks: false).flatMap { $0.st_mode & S_IFMT == S_IFLNK ? Self.readLink(path) : nil }
        if let descriptor = Self.descriptorNumber(path) ?? linkTarget.flatMap(Self.descriptorNumber) {
            let flags = fcntl(descriptor, F_GETFL)
            guard flags >= 0 else {
                throw refuse(descriptor == 1 ? "standard output is closed" : "descriptor \(descriptor) is not open")
            }
            guard flags & O_ACCMODE != O_RDONLY else {
                throw refuse("descriptor \(descriptor) is open for reading only")
            }
            target = path
            kind = .descriptor(descriptor)
            identity = FileIdentity.of(descriptor: descriptor)
            canonicalPath = nil
            return
        }
        guard !path.hasSuffix("/") else {
            throw refuse("the path ends in '/', which names a directory; expected a file name")
        }

        let (givenDirectory, givenName) = AtomicFile.split(path)
        let givenNameMax = AtomicFile.nameMax(givenDirectory)
        guard givenName.utf8.count <= givenNameMax else {
            throw refuse("the file name is \(givenName.utf8.count) bytes long; the file system allows at most \(givenNameMax)")
        }

        var resolvedTarget = path
        var existing: stat?
        var throughProc = false
        if let link = POSIXIO.status(path, followLinks: false) {
            if link.st_mode & S_IFMT == S_IFLNK {
                guard let info = POSIXIO.status(path) else {
                    throw refuse("is a symbolic link to a missing file (\(POSIXIO.message(errno))); not creating its target")
                }
                existing = info
                if let resolved = POSIXIO.resolved(path), !(linkTarget?.hasPrefix("/proc/") ?? false) {
                    resolvedTarget = resolved
                } else {
                    // Into /proc, or a magic link (`pipe:[…]`) that has no path: opened as it is.
                    throughProc = true
                }
            } else {
                existing = link
            }
        } else {
            let code = errno
            guard code == ENOENT else {
                // ENOTDIR (a file used as a directory), EACCES, ENAMETOOLONG, ELOOP, ...
                throw refuse(POSIXIO.message(code))
            }
        }

        if let info = existing {
            let type = info.st_mode & S_IFMT
            let underProc = throughProc || resolvedTarget.hasPrefix("/proc/")
            if type == S_IFCHR || type == S_IFIFO || (underProc && type == S_IFREG) {
                guard access(resolvedTarget, W_OK) == 0 else {
                    throw refuse("\(POSIXIO.kind(info.st_mode)) that is not writable: \(POSIXIO.message(errno))")
                }
                target = resolvedTarget
                kind = .writeThrough(kind: underProc ? "a file under /proc" : POSIXIO.kind(info.st_mode))
                identity = FileIdentity(info)
                canonicalPath = nil
                return
            }
            guard type == S_IFREG else {
                if type == S_IFDIR { throw refuse("is a directory; expected a file path") }
                throw refuse("is \(POSIXIO.kind(info.st_mode)); only regular files, character devices and FIFOs are written")
            }
            guard info.st_mode & 0o222 != 0, access(resolvedTarget, W_OK) == 0 else {
                throw refuse("is a read-only file; not replacing it (make it writable or remove it first)")
            }
        }

        let (directory, name) = AtomicFile.split(resolvedTarget)
        guard !name.isEmpty, name != ".", name != ".." else { throw refuse("the path does not name a file") }
        guard let folder = POSIXIO.status(directory) else {
            let code = errno
            if code == ENOENT { throw refuse("directory '\(directory)' does not exist (\(POSIXIO.message(code)))") }
            if code == ENOTDIR { throw refuse("'\(directory)' is not a directory") }
            throw refuse("directory '\(directory)': \(POSIXIO.message(code))")
        }
        guard folder.st_mode & S_IFMT == S_IFDIR else { throw refuse("'\(directory)' is not a directory") }
        guard access(directory, W_OK | X_OK) == 0 else {
            throw refuse("directory '\(directory)' is not writable: \(POSIXIO.message(errno))")
        }
        let nameMax = AtomicFile.nameMax(directory)
        guard name.utf8.count <= nameMax else {
            throw refuse("the file name is \(name.utf8.count) bytes long; the file system allows at most \(nameMax)")
        }
        let temporaryLength = directory.utf8.count + 1 + AtomicFile.temporaryNameLimit(name, nameMax: nameMax)
        guard temporaryLength < AtomicFile.pathMax else {
            throw refuse("the path is too long (with its temporary file \(temporaryLength) bytes; at most \(AtomicFile.pathMax - 1))")
        }
        target = resolvedTarget
        kind = .replace
        identity = existing.map(FileIdentity.init)
        canonicalPath = (POSIXIO.resolved(directory) ?? directory) + "/" + name
    }

    /// The target of the symbolic link `path` (one level), or `nil`.
    static func readLink(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: 4097)
        let count = readlink(path, &buffer, 4096)
        guard count > 0 else { return nil }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The descriptor `path` names lexically: `-` and `/dev/stdout` are 1, `/dev/stderr` 2,
    /// `/dev/fd/N` and `/proc/self/fd/N` are N; `nil` for any other path.
    public static func descriptorNumber(_ path: String) -> Int32? {
        switch path {
        case "-", "/dev/stdout": return 1
        case "/dev/stderr": return 2
        default:
            for prefix in ["/dev/fd/", "/proc/self/fd/"] where path.hasPrefix(prefix) {
                let digits = path.dropFirst(prefix.count)
                guard !digits.isEmpty, digits.count <= 9, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
                return Int32(digits)
            }
            return nil
        }
    }

    /// Writes `text` as UTF-8 (see ``write(_:shouldStop:)-([UInt8],_)``).
    public func write(_ text: String, shouldStop: (() -> Bool)? = nil) throws(AtomicFileError) {
        try write(Array(text.utf8), shouldStop: shouldStop)
    }

    /// Writes `bytes`, classifying the path again first (it may have changed since the early
    /// check): to the descriptor, through the device or FIFO, or by atomic replacement.
    /// `shouldStop` is consulted when a blocking `open` or `write` is interrupted by a signal
    /// (`EINTR`): if it returns `true` the write gives up with an error whose ``AtomicFileError/code``
    /// is `EINTR`.
    public func write(_ bytes: [UInt8], shouldStop: (() -> Bool)? = nil) throws(AtomicFileError) {
        let current = try FileDestination(checking: path)
        switch current.kind {
        case .descriptor(let descriptor):
            let code = POSIXIO.writeAll(descriptor, bytes, shouldStop: shouldStop)
            guard code == 0 else { throw AtomicFileError(path: path, reason: "write failed: \(POSIXIO.message(code))", code: code) }
        case .writeThrough:
            let underProc = current.kind == .writeThrough(kind: "a file under /proc")
            // A stop already requested will not interrupt a wait for a FIFO's reader again: then
            // the FIFO is opened without waiting (ENXIO when nobody reads).
            let isFIFO = POSIXIO.status(current.target).map { $0.st_mode & S_IFMT == S_IFIFO } ?? false
            let noWait = isFIFO && shouldStop?() == true
            let descriptor = POSIXIO.open(current.target, O_WRONLY | O_CLOEXEC | O_NOCTTY | (underProc ? O_TRUNC : 0)
                                          | (noWait ? O_NONBLOCK : 0), shouldStop: shouldStop)
            guard descriptor >= 0 else {
                let code = -descriptor
                let reason = code == ENXIO && noWait ? "no reader on the FIFO" : "cannot open for writing: \(POSIXIO.message(code))"
                throw AtomicFileError(path: path, reason: reason, code: code)
            }
            if noWait { _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) & ~O_NONBLOCK) }
            // The type is checked again on the open descriptor: a file swapped in after the check
            // is not truncated or written.
            if let info = POSIXIO.status(descriptor: descriptor), info.st_mode & S_IFMT == S_IFDIR {
                _ = close(descriptor)
                throw AtomicFileError(path: path, reason: "is a directory; expected a file path")
            }
            let code = POSIXIO.writeAll(descriptor, bytes, shouldStop: shouldStop)
            let closed = close(descriptor) == 0 ? 0 : errno
            guard code == 0 else { throw AtomicFileError(path: path, reason: "write failed: \(POSIXIO.message(code))", code: code) }
            guard closed == 0 || closed == EINTR else {
                throw AtomicFileError(path: path, reason: "close failed: \(POSIXIO.message(closed))", code: closed)
            }
        case .replace:
            try AtomicFile.replace(current.target, with: bytes, reportingAs: path, beforeRename: nil)
        }
    }
}
