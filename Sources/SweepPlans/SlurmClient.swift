import Foundation

/// Slurm's client commands, as the sweep backend uses them: `sbatch` to submit, `squeue` to see
/// what is still queued or running, `scancel` to withdraw a merge that can no longer run. It
/// never needs Slurm's accounting (`sacct`), which many clusters disable: a task's success is
/// its result file in the work directory, not a state in a database.
public struct SlurmClient: Sendable {
    public let sbatch: String
    public let squeue: String
    public let scancel: String
    /// Seconds a client command may take before it counts as an unreachable controller.
    public var timeout: Double = 60

    /// Finds the three commands on `path` (the process's `PATH` by default).
    public init(path: String? = nil) throws(SweepPlanError) {
        var found: [String] = []
        for name in ["sbatch", "squeue", "scancel"] {
            guard let location = CommandRunner.locate(name, path: path) else {
                throw .schedulerUnavailable("--backend slurm: no \(name) on PATH (Slurm's client commands sbatch, squeue and scancel are needed)")
            }
            found.append(location)
        }
        sbatch = found[0]
        squeue = found[1]
        scancel = found[2]
    }

    /// The user name `squeue --user` is asked for.
    static var userName: String {
        if let entry = getpwuid(getuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        return String(getuid())
    }

    /// Asks the controller for this user's jobs; throws when it does not answer.
    public func checkController() throws(SweepPlanError) {
        _ = try activeEntries()
    }

    /// Every active job and array task of this user (pending, running, completing, …).
    public func activeEntries() throws(SweepPlanError) -> [QueueEntry] {
        let output = try CommandRunner.run(squeue, ["--noheader", "--array", "--user=\(Self.userName)", "--format=\(QueueEntry.format)"],
                                           timeout: timeout)
        if output.timedOut {
            throw .schedulerUnavailable("the Slurm controller did not answer squeue within \(Int(timeout)) s")
        }
        guard output.status == 0 else {
            throw .schedulerUnavailable("the Slurm controller cannot be reached: squeue: \(output.lastLine)")
        }
        return QueueEntry.parse(output.standardOutput)
    }

    /// Submits `script` with `options` before it (`sbatch --parsable OPTIONS SCRIPT`); returns the job id.
    public func submit(_ script: String, options: [String]) throws(SweepPlanError) -> String {
        let output = try CommandRunner.run(sbatch, ["--parsable"] + options + [script], timeout: timeout)
        if output.timedOut { throw .schedulerUnavailable("sbatch did not answer within \(Int(timeout)) s") }
        guard output.status == 0 else { throw .submissionFailed("sbatch refused the job: \(output.lastLine)") }
        // `--parsable` prints `id` or `id;cluster`.
        let first = output.standardOutput.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        let id = first.split(separator: ";").first.map(String.init) ?? ""
        guard !id.isEmpty, id.allSatisfy(\.isNumber) else {
            throw .submissionFailed("sbatch printed no job id (got '\(first)')")
        }
        return id
    }

    /// Cancels `job` (a job id, or `id_index` for one array task).
    public func cancel(_ job: String) throws(SweepPlanError) {
        let output = try CommandRunner.run(scancel, [job], timeout: timeout)
        if output.timedOut { throw .schedulerUnavailable("scancel did not answer within \(Int(timeout)) s") }
        guard output.status == 0 else { throw .submissionFailed("scancel \(job): \(output.lastLine)") }
    }
}
