import Foundation

/// Runs an external command with a time limit and captures its output (`sbatch`, `squeue`,
/// `scancel`). The command is found on `PATH` (``locate(_:path:)``); it inherits the
/// environment (so `SLURM_CONF` reaches Slurm's clients) and gets no standard input.
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
    /// it runs longer than `timeout` seconds.
    public static func run(_ executable: String, _ arguments: [String], timeout: Double) throws(SweepPlanError) -> ProcessOutput {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe(), error = Pipe()
        process.standardOutput = output
        process.standardError = error
        process.standardInput = FileHandle(forReadingAtPath: "/dev/null")
        do {
            try process.run()
        } catch {
            throw .schedulerUnavailable("cannot run \(executable): \(error.localizedDescription)")
        }
        // Both pipes are drained while the process runs, so a large output cannot block it.
        let collected = OutputCollector()
        let group = DispatchGroup()
        for (pipe, isError) in [(output, false), (error, true)] {
            group.enter()
            DispatchQueue.global().async {
                let data = pipe.fileHandleForReading.readDataToEndOfFile()
                collected.store(data, isError: isError)
                group.leave()
            }
        }
        let deadline = Date().addingTimeInterval(timeout)
        var timedOut = false
        while process.isRunning {
            if Date() > deadline {
                timedOut = true
                process.terminate()
                let killAt = Date().addingTimeInterval(1)
                while process.isRunning, Date() < killAt { usleep(10_000) }
                if process.isRunning { kill(process.processIdentifier, SIGKILL) }
                break
            }
            usleep(5_000)
        }
        process.waitUntilExit()
        group.wait()
        let status = process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
        return ProcessOutput(status: status, standardOutput: collected.text(isError: false), standardError: collected.text(isError: true),
                             timedOut: timedOut)
    }

    /// The two outputs, filled from two reader threads.
    final class OutputCollector: @unchecked Sendable {
        private var output = Data(), error = Data()
        private let lock = NSLock()
        func store(_ data: Data, isError: Bool) {
            lock.lock()
            if isError { error = data } else { output = data }
            lock.unlock()
        }
        func text(isError: Bool) -> String {
            lock.lock()
            defer { lock.unlock() }
            return String(decoding: isError ? error : output, as: UTF8.self)
        }
    }
}
