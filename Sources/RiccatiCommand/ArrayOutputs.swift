import AtomicFiles
import Reports
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// `--npy-dir DIR`: where the arrays of ``ArrayFiles`` go (names and shapes documented there).
struct ArrayDirectory {
    let path: String

    /// Checks, before any work, that `path` is an existing, writable directory that holds none
    /// of the command's inputs under a name the tool writes there.
    init(path: String) throws(CommandFailure) {
        guard !path.isEmpty else { throw .badInput("--npy-dir: the path is empty; expected an existing directory") }
        var info = stat()
        guard stat(path, &info) == 0 else {
            let code = errno
            if code == ENOENT { throw .badInput("--npy-dir \(path): directory does not exist (create it first)") }
            if code == ENOTDIR { throw .badInput("--npy-dir \(path): not a directory") }
            throw .badInput("--npy-dir \(path): \(POSIXIO.message(code))")
        }
        guard info.st_mode & S_IFMT == S_IFDIR else { throw .badInput("--npy-dir \(path): not a directory") }
        guard access(path, W_OK | X_OK) == 0 else {
            throw .badInput("--npy-dir \(path): directory is not writable: \(POSIXIO.message(errno))")
        }
        self.path = path
        try FileRegistry.registerArrayDirectory(flag: "--npy-dir", path: path)
    }

    /// `nil` when the flag was not given.
    static func validate(_ path: String?) throws(CommandFailure) -> ArrayDirectory? {
        try path.map { (path) throws(CommandFailure) -> ArrayDirectory in try ArrayDirectory(path: path) }
    }

    /// Writes the arrays and `config.json` with its manifest (``ArrayFiles/write(_:config:into:shouldStop:)``).
    func write(_ arrays: [NamedArray], config: [(String, JSONValue)]) throws(CommandFailure) {
        do {
            try ArrayFiles.write(arrays, config: config, into: path, shouldStop: { Interruption.requested })
        } catch {
            if case .writeFailed(_, let reason) = error, reason.hasSuffix(ArrayFiles.interruptedReason) {
                throw .interrupted("--npy-dir: \(error)")
            }
            throw .runtime("--npy-dir: \(error)")
        }
    }
}
