import Foundation
import Testing
import TestSupport

/// A `riccati` run started with `posix_spawn`, so that the test controls what a shell would:
/// standard output (a file, `/dev/full`, a pipe, or closed), an empty signal mask and default
/// dispositions of SIGTERM, SIGINT and SIGPIPE (a test runner may block or ignore them, and the
/// child would inherit that).
struct SpawnedRun {
    /// The exit status, or `nil` if the process was ended by a signal.
    var exitStatus: Int32?
    /// The signal that ended the process, or `nil`.
    var signal: Int32?
    var standardOutput: String
    var standardError: String

    /// Exactly one line, `riccati: …`.
    var oneErrorLine: Bool {
        let lines = standardError.split(separator: "\n", omittingEmptySubsequences: false)
        return lines.count == 2 && lines[1].isEmpty && standardError.hasPrefix("riccati: ")
    }
}

enum StandardOutputTarget {
    case file(String)
    case closed
    /// The write end of a pipe the test owns (its read end is closed in the child).
    case pipe(write: Int32, read: Int32)
}

/// Starts `riccati` (in the test's working directory: give absolute paths; its standard
/// streams are collected in `folder`); `whileRunning` gets the pid (to signal it); after `timeout`
/// seconds the process is killed with SIGKILL (which then shows as its signal).
func spawnRiccati(_ arguments: [String], in folder: URL, standardOutput: StandardOutputTarget? = nil,
                  timeout: Double = 60, whileRunning: ((pid_t) -> Void)? = nil) throws -> SpawnedRun {
    let executable = try riccatiExecutable().path
    let outPath = folder.appendingPathComponent("spawn-stdout-\(UUID().uuidString).txt").path
    let errPath = folder.appendingPathComponent("spawn-stderr-\(UUID().uuidString).txt").path
    defer { unlink(outPath); unlink(errPath) }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    switch standardOutput ?? .file(outPath) {
    case .file(let path): posix_spawn_file_actions_addopen(&actions, 1, path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    case .closed: posix_spawn_file_actions_addclose(&actions, 1)
    case .pipe(let write, let read):
        posix_spawn_file_actions_adddup2(&actions, write, 1)
        posix_spawn_file_actions_addclose(&actions, read)
    }
    posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var empty = sigset_t(), defaults = sigset_t()
    sigemptyset(&empty)
    sigemptyset(&defaults)
    for number in [SIGTERM, SIGINT, SIGPIPE, SIGHUP] { sigaddset(&defaults, number) }
    posix_spawnattr_setsigmask(&attributes, &empty)
    posix_spawnattr_setsigdefault(&attributes, &defaults)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
    let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
    defer { for pointer in argv { free(pointer) } }
    var pid = pid_t()
    let spawned = posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
    guard spawned == 0 else { throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "posix_spawn: \(spawned)"]) }
    let deadline = Date().addingTimeInterval(timeout)
    whileRunning?(pid)
    var status: Int32 = 0
    while waitpid(pid, &status, WNOHANG) == 0 {
        if Date() > deadline {
            kill(pid, SIGKILL)
            waitpid(pid, &status, 0)
            break
        }
        usleep(5_000)
    }
    let terminatingSignal = status & 0x7f
    let out = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
    let err = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
    return SpawnedRun(exitStatus: terminatingSignal == 0 ? (status >> 8) & 0xff : nil,
                      signal: terminatingSignal == 0 ? nil : terminatingSignal, standardOutput: out, standardError: err)
}

/// The kind of the file at `path` (not following a final link).
func fileType(_ path: String) -> mode_t? {
    var info = stat()
    return lstat(path, &info) == 0 ? info.st_mode & S_IFMT : nil
}

/// A value handed over from another thread.
final class Handover<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value?
    func set(_ value: Value) { lock.withLock { stored = value } }
    var value: Value? { lock.withLock { stored } }
}


/// `true` once `pid` has ended (it stays waitable: `WNOWAIT`).
func hasEnded(_ pid: pid_t) -> Bool {
    var info = siginfo_t()
    return waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info._sifields._kill.si_pid == pid
}
