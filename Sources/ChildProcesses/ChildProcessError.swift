import Glibc

/// Why a child process could not be started. Each case carries the `errno` the system gave.
public enum ChildProcessError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `posix_spawn` failed (no such executable, not executable, no such working directory, …).
    case spawnFailed(executable: String, errno: Int32)
    /// A pipe for a standard stream could not be made (too many open files).
    case pipeFailed(errno: Int32)
    /// A file named for a standard stream could not be opened.
    case fileFailed(path: String, errno: Int32)

    public var description: String {
        switch self {
        case .spawnFailed(let executable, let code): return "cannot run \(executable): \(Self.message(code))"
        case .pipeFailed(let code): return "cannot make a pipe: \(Self.message(code))"
        case .fileFailed(let path, let code): return "cannot open \(path): \(Self.message(code))"
        }
    }

    static func message(_ code: Int32) -> String { String(cString: strerror(code)) }
}
