import AtomicFiles
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a command's report (or its checkpoint or figure) goes: standard output (no flag, or
/// `-`), or a path written by the rules of ``FileDestination``: a descriptor (`/dev/stdout`,
/// `/dev/fd/N`) or an existing device or FIFO is written in place, a regular file (also the
/// target of a symbolic link) replaced atomically.
struct ReportDestination {
    /// The path as given; `nil` for standard output.
    let path: String?
    /// The flag named in error messages.
    let flag: String
    private let file: FileDestination?

    /// Fails early (before any work, exit code 2) on everything the final write would refuse:
    /// an empty path, a trailing `/`, a directory, a block device or socket, a read-only file, a
    /// missing or non-writable directory, a name or path too long for its temporary file, a
    /// closed standard output, and a file that is also an input or another output of the
    /// command (``FileRegistry``).
    init(path: String?, flag: String = "--output") throws(CommandFailure) {
        self.flag = flag
        guard let path, path != "-" else {
            self.path = nil
            file = nil
            guard StandardStreams.outputIsOpen else {
                throw .badInput("standard output is closed; give \(flag) FILE or redirect it")
            }
            return
        }
        self.path = path
        do {
            file = try FileDestination(checking: path)
        } catch {
            throw .badInput("\(flag) \(error)")
        }
        if let file { try FileRegistry.registerOutput(flag: flag, file) }
    }

    /// Writes `text` to standard output or to the destination. A signal that interrupts a wait
    /// (for a FIFO's reader) ends the write as an interruption (exit code 130).
    func write(_ text: String) throws(CommandFailure) {
        try write(Array(text.utf8))
    }

    func write(_ bytes: [UInt8]) throws(CommandFailure) {
        guard let file else {
            try StandardStreams.check(POSIXIO.writeAll(STDOUT_FILENO, bytes, shouldStop: { Interruption.requested }), naming: "standard output")
            return
        }
        try Self.write(bytes, to: file, flag: flag)
    }

    /// Writes through ``FileDestination/write(_:shouldStop:)-([UInt8],_)`` and maps its errors:
    /// a broken pipe on a descriptor is quiet (``StandardStreams``), an interrupted wait exit 130,
    /// anything else a one-line run-time failure keeping the system's reason.
    static func write(_ bytes: [UInt8], to file: FileDestination, flag: String) throws(CommandFailure) {
        do {
            try file.write(bytes, shouldStop: { Interruption.requested })
        } catch {
            if case .descriptor = file.kind, error.code == EPIPE { StandardStreams.endAfterBrokenPipe() }
            if error.code == EINTR { throw .interrupted("\(flag) \(error.path): interrupted while waiting to write") }
            throw .runtime("\(flag) \(error)")
        }
    }
}

/// Writes `text` to `path` by the rules of ``FileDestination``; errors name `flag`.
func writeAtomically(_ text: String, to path: String, flag: String) throws(CommandFailure) {
    let file: FileDestination
    do {
        file = try FileDestination(checking: path)
    } catch {
        throw .runtime("\(flag) \(error)")
    }
    try ReportDestination.write(Array(text.utf8), to: file, flag: flag)
}
