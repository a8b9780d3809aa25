import Foundation
import SweepPlans

/// Waits for a submitted sweep: polls `squeue` for its array tasks and merge job, shows a
/// progress line on a terminal (points done / total, failures, tasks queued or running), and
/// ends with the merged report, or with a one-line failure naming the points without a result.
struct SweepWaiter {
    let plan: SweepPlan
    let directory: WorkDirectory
    let client: SlurmClient
    let submission: SweepSubmission
    let pollInterval: Double
    /// The checked state of every point (decodes the result files; called when the queue is empty).
    let states: () -> [PointState]

    /// Consecutive failed `squeue` calls tolerated (a controller restarting) before giving up.
    static let queueFailureLimit = 5

    func wait() throws(CommandFailure) {
        let showsProgress = isatty(STDERR_FILENO) == 1
        defer { if showsProgress, !Interruption.hungUp { StandardStreams.writeError("\r\u{1B}[K") } }
        var queueFailures = 0
        while true {
            if Interruption.requested {
                throw .interrupted(Interruption.message("stopped waiting; the jobs go on: riccati sweep status "
                    + ShellQuoting.quoteIfNeeded(directory.path)))
            }
            let entries: [QueueEntry]
            do {
                entries = try client.activeEntries()
                queueFailures = 0
            } catch {
                queueFailures += 1
                if queueFailures >= Self.queueFailureLimit {
                    throw .schedulerUnavailable("lost contact with Slurm while waiting (\(error)); the jobs may go on: riccati sweep status "
                        + ShellQuoting.quoteIfNeeded(directory.path))
                }
                sleep(seconds: pollInterval)
                continue
            }
            let tasks = entries.filter { !submission.arrayJob.isEmpty && $0.jobID == submission.arrayJob }
            let mergeActive = entries.contains { $0.jobID == submission.mergeJob }
            if showsProgress { StandardStreams.writeError("\r\u{1B}[K" + progressLine(activeTasks: tasks.count, mergeActive: mergeActive)) }
            // A merge that ended while tasks are still queued (cancelled by hand, say) settles
            // nothing: wait for the tasks, then report what they left.
            if !mergeActive, tasks.isEmpty {
                if FileManager.default.fileExists(atPath: directory.mergedReportPath) {
                    if showsProgress { StandardStreams.writeError("\r\u{1B}[K") }
                    try SlurmSweep.printMergedReport(directory)
                    return
                }
                let current = states()
                if current.contains(where: { !$0.isDone }) {
                    throw .incomplete(SlurmSweep.incompleteMessage(plan, states: current, directory: directory))
                }
                throw .incomplete("every point has its result, but the merge job \(submission.mergeJob) ended without a merged result ("
                    + mergeLogLine() + "); riccati sweep resubmit " + ShellQuoting.quoteIfNeeded(directory.path) + " runs the merge again")
            }
            if tasks.isEmpty, mergeActive {
                // Every task has ended: a point without a result can no longer appear, and the
                // merge (afterok) would only wait to be killed; withdraw it and say which points.
                let current = states()
                if current.contains(where: { !$0.isDone }) {
                    try? client.cancel(submission.mergeJob)
                    throw .incomplete(SlurmSweep.incompleteMessage(plan, states: current, directory: directory))
                }
            }
            sleep(seconds: pollInterval)
        }
    }

    /// `riccati: slurm: 5/8 points done, 1 failed, 2 tasks queued or running`.
    func progressLine(activeTasks: Int, mergeActive: Bool) -> String {
        let done = plan.points.filter { directory.hasResultFile($0.index) }.count
        let failed = plan.points.filter { directory.hasFailureRecord($0.index) }.count
        var line = "riccati: slurm: \(done)/\(plan.points.count) points done"
        if failed > 0 { line += ", \(failed) failed" }
        line += activeTasks > 0 ? ", \(activeTasks) task(s) queued or running" : (mergeActive ? ", merging" : "")
        return line
    }

    func mergeLogLine() -> String { Self.mergeLogLine(directory: directory, mergeJob: submission.mergeJob) }

    /// The last line of merge job `mergeJob`'s log, or a pointer to the logs.
    static func mergeLogLine(directory: WorkDirectory, mergeJob: String) -> String {
        let log = directory.logsPath + "/merge-\(mergeJob).out"
        if let text = try? String(contentsOfFile: log, encoding: .utf8),
           let line = text.split(whereSeparator: \.isNewline).last(where: { !$0.allSatisfy(\.isWhitespace) }) {
            return String(line)
        }
        return "no log at \(log): cancelled before it started?"
    }

    /// Sleeps in short slices so a stop signal ends the wait promptly.
    func sleep(seconds: Double) {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end, !Interruption.requested { usleep(50_000) }
    }
}
