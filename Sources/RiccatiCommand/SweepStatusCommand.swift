import ArgumentParser
import Foundation
import SweepPlans

/// `riccati sweep status DIR`: what a sweep's work directory and Slurm's queue say of it.
struct SweepStatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show a planned sweep's progress: points done, failed or missing, jobs queued or running, the merge.",
        discussion: """
            Exit code 0 when the sweep is complete or still has jobs queued or running, 4 when points lack a \\
            result or the merge failed and nothing of the sweep is queued any more (riccati sweep resubmit runs \\
            them again), 5 when the queue cannot be read and the sweep is not complete (a job may still be queued).
            """)

    @Argument(help: "The sweep's work directory.") var workDirectory: String

    func run() throws {
        let sweep = try PlannedSweep(path: workDirectory, validating: false)
        let states = sweep.states
        var lines = ["sweep \(sweep.plan.commandLine)", "work dir \(sweep.directory.path)"]
        let done = states.filter(\.isDone).count
        let failed = states.filter { if case .failed = $0 { return true } else { return false } }.count
        let damaged = states.filter { if case .damaged = $0 { return true } else { return false } }.count
        lines.append("points: \(done)/\(states.count) done, \(failed) failed, \(damaged) damaged, \(states.count - done - failed - damaged) without a result")
        var active: [QueueEntry]?
        var queueNote = ""
        var lastMergeJob: String?
        do {
            let submissions = try sweep.directory.readSubmissions()
            if submissions.isEmpty {
                queueNote = "queue: nothing submitted yet (planned with --dry-run?)"
                active = []
            } else {
                let entries = try SlurmSweep.activeJobs(of: submissions, client: try SlurmClient())
                active = entries
                let last = submissions[submissions.count - 1]
                lastMergeJob = last.mergeJob
                let tasks = entries.filter { $0.jobID == last.arrayJob && !last.arrayJob.isEmpty }
                let merge = entries.first { $0.jobID == last.mergeJob }
                queueNote = "queue: \(entries.count) job(s) of this sweep queued or running; last submission: array \(last.arrayJob.isEmpty ? "—" : last.arrayJob) "
                    + "(\(tasks.count) of \(last.indices.count) tasks active), merge \(last.mergeJob) " + (merge.map { "(\($0.state.lowercased()))" } ?? "(ended)")
            }
        } catch {
            queueNote = "queue: unknown (\(error))"
        }
        lines.append(queueNote)
        let merged = FileManager.default.fileExists(atPath: sweep.directory.mergedReportPath)
        let complete = done == states.count
        // All points done, nothing queued, no merged report: the last merge failed or was cancelled.
        var mergeFailure: String?
        if complete, !merged, let active, active.isEmpty, let lastMergeJob {
            mergeFailure = SweepWaiter.mergeLogLine(directory: sweep.directory, mergeJob: lastMergeJob)
        }
        lines.append(merged ? "merge: done (merged-report)" : mergeFailure.map { "merge: failed (\($0))" } ?? "merge: not done")
        for (index, state) in states.enumerated() {
            switch state {
            case .done: continue
            case .missing: lines.append("  point \(index) (\(sweep.plan.points[index].label)): no result")
            case .failed(let message): lines.append("  point \(index) (\(sweep.plan.points[index].label)): failed: \(message)")
            case .damaged(let reason): lines.append("  point \(index) (\(sweep.plan.points[index].label)): damaged result: \(reason)")
            }
        }
        try StandardStreams.writeOutput(lines.joined(separator: "\n") + "\n")
        guard let active else {
            if complete && merged { return }
            throw CommandFailure.schedulerUnavailable("the queue cannot be read, so points without a result may still be queued: " + queueNote)
        }
        if !complete, active.isEmpty {
            throw CommandFailure.incomplete(SlurmSweep.incompleteMessage(sweep.plan, states: states, directory: sweep.directory))
        }
        if let mergeFailure {
            throw CommandFailure.incomplete("every point has its result, but the merge failed (\(mergeFailure)); riccati sweep resubmit "
                + ShellQuoting.quoteIfNeeded(sweep.directory.path) + " runs it again")
        }
    }
}
