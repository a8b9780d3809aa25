import ChildProcesses
import Foundation
import Testing
import TestSupport

/// A `riccati` run started as a shell would start it (`ChildProcess`: an empty signal mask,
/// default dispositions, no inherited descriptors), with standard output a file, `/dev/full`, a
/// pipe, or closed.
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

/// Starts `riccati` (in the test's working directory: give absolute paths; its standard
/// streams are collected in `folder`, standard output unless `standardOutput` says otherwise);
/// `whileRunning` gets the pid (to signal it); after `timeout` seconds the process is killed with
/// SIGKILL (which then shows as its signal).
func spawnRiccati(_ arguments: [String], in folder: URL, standardOutput: ChildStream? = nil,
                  timeout: Double = 60, whileRunning: ((pid_t) -> Void)? = nil) throws -> SpawnedRun {
    let executable = try riccatiExecutable().path
    let outPath = folder.appendingPathComponent("spawn-stdout-\(UUID().uuidString).txt").path
    let errPath = folder.appendingPathComponent("spawn-stderr-\(UUID().uuidString).txt").path
    defer { unlink(outPath); unlink(errPath) }
    let child = try ChildProcess(executable: executable, arguments: arguments, standardInput: .null,
                                 standardOutput: standardOutput ?? .file(outPath), standardError: .file(errPath))
    whileRunning?(child.processIdentifier)
    let termination = ended(child, within: timeout)
    let out = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
    let err = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
    switch termination {
    case .exited(let status): return SpawnedRun(exitStatus: status, signal: nil, standardOutput: out, standardError: err)
    case .signaled(let signal): return SpawnedRun(exitStatus: nil, signal: signal, standardOutput: out, standardError: err)
    case .unknown: return SpawnedRun(exitStatus: nil, signal: nil, standardOutput: out, standardError: err)
    }
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
