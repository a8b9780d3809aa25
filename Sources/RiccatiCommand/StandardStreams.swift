import AtomicFiles
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Standard output and standard error written with `write(2)` (retried after `EINTR`, continued
/// after short writes), so that a failing stream is an error, never a trap:
///
/// - a failing standard output (`> /dev/full`, a closed descriptor `>&-`, an I/O error) ends the
///   command with one line on standard error and exit code 1 (a run-time failure: the work was
///   done, its report could not be delivered);
/// - a broken pipe (`| head -c1`) stays quiet, as before: the process ends as `SIGPIPE` ends it
///   (status 141 in a shell), whether `SIGPIPE` was left at its default (the write itself ends
///   the process) or ignored by the parent (`EPIPE`, turned into the same signal here);
/// - a stop signal while a write waits (a full pipe nobody reads) ends the command as interrupted
///   (exit code 130), instead of waiting for a second signal;
/// - standard error is best effort: if even it fails there is nowhere left to report to.
enum StandardStreams {
    /// Writes `text` to standard output.
    static func writeOutput(_ text: String) throws(CommandFailure) {
        try check(POSIXIO.writeAll(STDOUT_FILENO, Array(text.utf8), shouldStop: { Interruption.requested }), naming: "standard output")
    }

    /// Maps the result of a write to standard output (or to a descriptor an output flag named).
    static func check(_ code: Int32, naming what: String) throws(CommandFailure) {
        switch code {
        case 0: return
        case EPIPE: endAfterBrokenPipe()
        case EINTR:
            // A stop signal arrived while the write waited (a pipe nobody reads).
            throw .interrupted(Interruption.message("while writing to \(what), which nobody was reading; what it received is incomplete"))
        case EBADF: throw .runtime("\(what) is closed; the report could not be written (give --output FILE)")
        default: throw .runtime("\(what): write failed: \(POSIXIO.message(code))")
        }
    }

    /// Ends the process quietly as `SIGPIPE`'s default action does.
    static func endAfterBrokenPipe() -> Never {
        signal(SIGPIPE, SIG_DFL)
        var mask = sigset_t()
        sigemptyset(&mask)
        sigaddset(&mask, SIGPIPE)
        pthread_sigmask(SIG_UNBLOCK, &mask, nil)
        raise(SIGPIPE)
        _exit(141)
    }

    /// Writes `text` to standard error, ignoring failures.
    static func writeError(_ text: String) {
        _ = POSIXIO.writeAll(STDERR_FILENO, Array(text.utf8))
    }

    /// `true` when standard output is open for writing (checked before any work when the report
    /// goes there).
    static var outputIsOpen: Bool {
        let flags = fcntl(STDOUT_FILENO, F_GETFL)
        return flags >= 0 && flags & O_ACCMODE != O_RDONLY
    }
}
