import ChildProcesses
import Foundation

/// Runs an external command with a time limit and captures its output (`sbatch`, `squeue`,
/// `scancel`). The command is found on `PATH` (``locate(_:path:)``); it inherits the
/// environment (so `SLURM_CONF` reaches Slurm's clients) and gets no standard input.
///
/// It is started by `ChildProcesses`, not Foundation's `Process`, whose `run()` crashes now and
/// then on Linux with Swift 6.3.
public enum CommandRunner {
    /// The absolute path of `name` on `path` (a `PATH`-style list; the process's `PATH` by default),
    /// `nil` when no executable file of that name is found.
    public static func locate(_ name: String, path: String? = nil) -> String? {
        let list = path ?? ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for folder in list.split(separator: ":", omittingEmptySubsequences: true) {
            let candidate = String(folder) + "/" + name
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory), !isDirectory.boolValue,
               FileManager.default.isExecutableFile(atPath: candidate) {
                return candidate
            }
        }
        return nil
    }

    /// Runs `executable` with `arguments`, stopping it (SIGTERM, then SIGKILL after a second) when
    /// it runs longer than `timeout` seconds. The status is the shell's: 128 + the signal for a
    /// command ended by one.
    public static func run(_ executable: String, _ arguments: [String], timeout: Double) throws(SweepPlanError) -> ProcessOutput {
        let run: CapturedOutput
        do {
            run = try ChildProcess.run(executable, arguments, timeout: timeout, terminationGrace: 1)
        } catch {
            throw .schedulerUnavailable(error.description)
        }
        return ProcessOutput(status: run.termination.shellStatus, standardOutput: run.standardOutputText,
                             standardError: run.standardErrorText, timedOut: run.timedOut)
    }
}
