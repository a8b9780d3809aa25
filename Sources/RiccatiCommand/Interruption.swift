import Foundation
import Synchronization

/// SIGINT, SIGTERM and SIGHUP ask the tool to stop: the handler only records the signal, and
/// every long command polls ``requested`` inside its innermost loops (an ODE step, an SGD
/// step, a grid point's integration), finishes that step, writes its partial outputs marked
/// `interrupted` (and a final checkpoint where it has one) and exits with code 130.
///
/// **When.** ``install()`` runs first thing in `RiccatiCLI.main()`, before any argument is
/// parsed or input file opened, and unblocks the three signals (a process inherits its
/// parent's signal mask; a parent that blocks them would otherwise leave them pending forever).
/// The handlers are installed without `SA_RESTART`: a blocking `open(2)` or `read(2)` (a FIFO
/// with no writer given as an input file) returns `EINTR`, and the input readers check
/// ``requested`` then instead of retrying forever.
///
/// **A second signal.** A SIGINT or SIGTERM that arrives while a stop is already under way
/// (Ctrl-C pressed again, `kill` repeated) restores that signal's default action and ends the
/// process at once, without the outputs still to be written (those are written atomically, so
/// no half file is left: only the last complete versions, or none; a checkpoint file holds the
/// last periodic checkpoint). A repeated SIGHUP changes nothing: a hang-up often comes twice
/// (from the shell and from the kernel when the session ends) and must not cut short the final
/// checkpoint.
///
/// **Ignored signals stay ignored.** A SIGINT or SIGHUP that was ignored when the tool started
/// (`nohup`, `trap '' HUP`, a background job of a non-interactive shell) keeps being ignored.
///
/// **Broken pipes.** SIGPIPE keeps its default action while the command runs, so
/// `riccati … | head -c1` ends quietly as any filter does. Once a stop was requested it is
/// ignored: after a hang-up the pipe or terminal behind standard output and standard error
/// may be gone, and a write there must then fail (and be skipped) rather than kill the tool
/// before its checkpoint and outputs are written.
enum Interruption {
    /// The number of the first stop signal received, or 0.
    static let received = Atomic<Int32>(0)

    /// The signals that ask for a stop.
    static let stopSignals: [Int32] = [SIGINT, SIGTERM, SIGHUP]

    private static let installed = Atomic<Bool>(false)

    /// Installs the handlers once (later calls do nothing) and unblocks the stop signals.
    static func install() {
        guard installed.compareExchange(expected: false, desired: true, ordering: .relaxed).exchanged else { return }
        // Touch the atomic now: a `static let` is initialised lazily, which must not first
        // happen inside a signal handler.
        _ = received.load(ordering: .relaxed)
        var action = sigaction()
        action.__sigaction_handler.sa_handler = interruptionSignalHandler
        sigemptyset(&action.sa_mask)
        for number in stopSignals { sigaddset(&action.sa_mask, number) }   // one handler at a time
        action.sa_flags = 0   // no SA_RESTART: blocking open/read calls return EINTR
        for number in stopSignals {
            var previous = sigaction()
            sigaction(number, nil, &previous)
            let wasIgnored = unsafeBitCast(previous.__sigaction_handler.sa_handler, to: Int.self)
                == unsafeBitCast(SIG_IGN, to: Int.self)
            if wasIgnored, number != SIGTERM { continue }   // nohup, trap '' INT: stays ignored
            sigaction(number, &action, nil)
        }
        var mask = sigset_t()
        sigemptyset(&mask)
        for number in stopSignals { sigaddset(&mask, number) }
        pthread_sigmask(SIG_UNBLOCK, &mask, nil)
    }

    /// Whether a stop signal was received.
    static var requested: Bool { received.load(ordering: .relaxed) != 0 }

    /// Whether the stop was a hang-up: the terminal behind standard error may be gone, so
    /// cosmetic output (progress lines) is skipped.
    static var hungUp: Bool { received.load(ordering: .relaxed) == SIGHUP }

    /// `SIGINT`, `SIGTERM` or `SIGHUP`.
    static var signalName: String { name(of: received.load(ordering: .relaxed)) }

    static func name(of number: Int32) -> String {
        switch number {
        case SIGINT: return "SIGINT"
        case SIGTERM: return "SIGTERM"
        case SIGHUP: return "SIGHUP"
        default: return "a signal"
        }
    }

    /// The one-line message of a stop, `interrupted by <signal>` followed by `detail`.
    static func message(_ detail: String) -> String {
        "interrupted by \(signalName)" + (detail.isEmpty ? "" : ": \(detail)")
    }
}

/// The handler: async-signal-safe (a lock-free atomic store, `signal(2)` and `raise(3)`; errno is
/// preserved).
private let interruptionSignalHandler: @convention(c) (Int32) -> Void = { number in
    let savedErrno = errno
    defer { errno = savedErrno }
    if Interruption.received.compareExchange(expected: 0, desired: number, ordering: .relaxed).exchanged {
        // From now on a write to a vanished pipe fails with EPIPE instead of killing the shutdown.
        signal(SIGPIPE, SIG_IGN)
    } else if number != SIGHUP {
        // Ctrl-C or kill again: the default action, delivered as soon as this handler returns.
        signal(number, SIG_DFL)
        raise(number)
    }
}
