import CSpawnSupport
import Glibc
import Synchronization

/// A process started with `posix_spawn`, owned by the one who started it.
///
/// It replaces Foundation's `Process`, whose `run()` on Linux (Swift 6.3) copies 256 bytes of
/// every `/proc/self/fd` directory entry and so reads past a mapping now and then: the crash
/// ends the whole program, a test runner included (swift-corelibs-foundation pull request 5472,
/// fixed after 6.3).
///
/// The child starts the way a shell starts a command: an empty signal mask, every signal at its
/// default action, and no descriptor of the parent's but its three standard streams (each as a
/// ``ChildStream`` says). The executable is a path (no `PATH` search; a relative one is found
/// from the child's working directory), and `arguments` do not include it: it is passed as
/// `argv[0]`.
///
/// ``send(_:)`` never signals a process this object has already reaped, so a recycled process
/// ID cannot be hit. A `ChildProcess` dropped while its process runs closes its pipe ends and
/// leaves the process running; nothing reaps it when it ends then (it stays a zombie until this
/// program ends), so wait for every child you start.
///
/// A ``ChildStream/file(_:)`` path is opened by the parent, before the child starts: a relative
/// path is relative to the parent's working directory, and a FIFO without a peer blocks `init`.
public final class ChildProcess: Sendable {
    /// The child's process ID.
    public let processIdentifier: pid_t
    /// The parent's write end of the child's standard input, when that is ``ChildStream/pipe``.
    public let standardInput: Int32?
    /// The parent's read end of the child's standard output, when that is ``ChildStream/pipe``.
    public let standardOutput: Int32?
    /// The parent's read end of the child's standard error, when that is ``ChildStream/pipe``.
    public let standardError: Int32?

    private struct State {
        var termination: ChildTermination?
        var openPipeEnds: Set<Int32>
    }
    private let state: Mutex<State>

    /// Starts `executable` with `arguments`, in `workingDirectory` (the parent's when `nil`),
    /// with `environment` (the parent's when `nil`).
    public init(executable: String, arguments: [String] = [], environment: [String: String]? = nil, workingDirectory: String? = nil,
                standardInput: ChildStream = .null, standardOutput: ChildStream = .null, standardError: ChildStream = .null)
        throws(ChildProcessError) {
        var setup = SpawnDescriptors()
        defer { setup.closeChildEnds() }
        do {
            try setup.prepare(standardInput, as: 0)
            try setup.prepare(standardOutput, as: 1)
            try setup.prepare(standardError, as: 2)
        } catch {
            setup.closeParentEnds()
            throw error
        }
        let pid: pid_t
        do {
            pid = try Self.spawn(executable, arguments, environment, workingDirectory, setup)
        } catch {
            setup.closeParentEnds()
            throw error
        }
        processIdentifier = pid
        self.standardInput = setup.parentEnds[0]
        self.standardOutput = setup.parentEnds[1]
        self.standardError = setup.parentEnds[2]
        state = Mutex(State(termination: nil, openPipeEnds: Set(setup.parentEnds.compactMap { $0 })))
    }

    deinit {
        state.withLock { state in
            for descriptor in state.openPipeEnds { close(descriptor) }
            if state.termination == nil {
                var status: Int32 = 0
                _ = waitpid(processIdentifier, &status, WNOHANG)
            }
        }
    }

    /// `nil` while the process runs; how it ended once it has (it is then reaped).
    public func poll() -> ChildTermination? {
        state.withLock { state in
            if let termination = state.termination { return termination }
            var status: Int32 = 0
            var reaped: pid_t
            repeat { reaped = waitpid(processIdentifier, &status, WNOHANG) } while reaped < 0 && errno == EINTR
            if reaped < 0 && errno == ECHILD {
                state.termination = .unknown
                return state.termination
            }
            guard reaped == processIdentifier else { return nil }
            state.termination = ChildTermination(waitStatus: status)
            return state.termination
        }
    }

    /// Whether the process is still running.
    public var isRunning: Bool { poll() == nil }

    /// Waits for the process to end and returns how it ended.
    @discardableResult
    public func wait() -> ChildTermination {
        while true {
            if let termination = poll() { return termination }
            // Block until it has ended without reaping it: `poll` reaps under the lock, so that
            // `send` never meets a reaped ID.
            var information = siginfo_t()
            let result = waitid(P_PID, id_t(processIdentifier), &information, WEXITED | WNOWAIT)
            if result < 0 && errno != EINTR { usleep(1_000) }
        }
    }

    /// Waits at most `seconds` for the process to end; `nil` if it still runs then. An infinite
    /// `seconds` waits for the end; a negative one or NaN only looks.
    public func wait(timeout seconds: Double) -> ChildTermination? {
        guard let limit = Duration(timeLimit: seconds) else { return wait() }
        let deadline = ContinuousClock.now + limit
        var pause: UInt32 = 500
        while true {
            if let termination = poll() { return termination }
            if ContinuousClock.now >= deadline { return nil }
            usleep(pause)
            pause = min(pause * 2, 20_000)
        }
    }

    /// Sends `signal` to the process, unless it has already been reaped. Returns whether it was sent.
    @discardableResult
    public func send(_ signal: Int32) -> Bool {
        state.withLock { state in
            guard state.termination == nil else { return false }
            return kill(processIdentifier, signal) == 0
        }
    }

    /// Closes the parent's end of a pipe (``standardInput`` to give the child end of file).
    /// Closing one that is already closed, or `nil`, does nothing.
    public func closePipeEnd(_ descriptor: Int32?) {
        guard let descriptor else { return }
        state.withLock { state in
            if state.openPipeEnds.remove(descriptor) != nil { close(descriptor) }
        }
    }

    private static func spawn(_ executable: String, _ arguments: [String], _ environment: [String: String]?, _ workingDirectory: String?,
                              _ setup: SpawnDescriptors) throws(ChildProcessError) -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var prepared: Int32 = 0
        for (number, source) in setup.childEnds.enumerated() where prepared == 0 {
            switch source {
            case .some(let descriptor): prepared = posix_spawn_file_actions_adddup2(&actions, descriptor, Int32(number))
            case .none where setup.closedInChild.contains(Int32(number)): prepared = posix_spawn_file_actions_addclose(&actions, Int32(number))
            case .none: break
            }
        }
        if prepared == 0 { prepared = spawn_support_add_close_from(&actions, 3) }
        if prepared == 0, let workingDirectory { prepared = spawn_support_add_change_directory(&actions, workingDirectory) }
        guard prepared == 0 else { throw .spawnFailed(executable: executable, errno: prepared) }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t(), allSignals = sigset_t()
        sigemptyset(&noSignals)
        sigfillset(&allSignals)
        // glibc's sigfillset leaves out its two internal signals (32 and 33), and its posix_spawn
        // then starts the child with them ignored, which exec keeps; named here, they are reset
        // to their defaults like every other signal (bits 31 and 32 of the first word).
        allSignals.__val.0 |= (1 << 31) | (1 << 32)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        let envp: [UnsafeMutablePointer<CChar>?]? = environment.map { $0.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil] }
        defer { for pointer in envp ?? [] { free(pointer) } }

        var pid: pid_t = 0
        let result: Int32
        if let envp {
            result = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        } else {
            result = posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
        }
        guard result == 0 else { throw .spawnFailed(executable: executable, errno: result) }
        return pid
    }
}
