/// How a child process ended.
public enum ChildTermination: Sendable, Equatable {
    /// It called `exit` with this status (0…255).
    case exited(Int32)
    /// A signal ended it.
    case signaled(Int32)
    /// It ended, but other code of this program collected its status first (a `waitpid(-1)` or
    /// a `SIGCHLD` set to be ignored), so how it ended is not known.
    case unknown

    /// The status a POSIX shell reports in `$?`: the exit status, or 128 + the signal number
    /// (255 when ``unknown``).
    public var shellStatus: Int32 {
        switch self {
        case .exited(let status): return status
        case .signaled(let signal): return 128 + signal
        case .unknown: return 255
        }
    }

    /// The termination a `waitpid` status word encodes (`WIFEXITED`/`WIFSIGNALED`).
    init(waitStatus: Int32) {
        let signal = waitStatus & 0x7f
        self = signal == 0 ? .exited((waitStatus >> 8) & 0xff) : .signaled(signal)
    }
}
