import Foundation
import Riccati
import SweepPlans

/// The Slurm backend of a ``DistributableCommand``: writes the plan and the batch scripts into
/// the work directory, submits the array and its dependent merge, and waits for the merged result.
enum SlurmSweep {
    /// `riccati … --backend slurm`: checks, plans, submits (unless `--dry-run`) and waits (unless `--no-wait`).
    static func submit<Command: DistributableCommand>(_ command: Command, slurmArguments: [String]) throws {
        let options = command.backendOptions
        // Everything a local run validates, before the scheduler or the folder is touched.
        let points = try command.plannedPoints()
        let client: SlurmClient?
        if options.dryRun {
            client = nil
        } else {
            do {
                let found = try SlurmClient()
                try found.checkController()
                client = found
            } catch {
                throw CommandFailure(error)
            }
        }
        let arguments = Array(CommandLine.arguments.dropFirst())
        let plan = SweepPlan(toolVersion: RiccatiKitVersion.current, command: Command.commandPath, arguments: arguments,
                             identityArguments: BackendOptions.identity(of: arguments),
                             workingDirectory: FileManager.default.currentDirectoryPath, executable: executablePath(), points: points)
        let directory = WorkDirectory(path: options.workDirectory ?? "")
        let existing: SweepPlan?
        let lock: SubmissionLock
        do throws(SweepPlanError) {
            existing = try directory.prepare(for: plan)
            lock = try directory.lockForSubmission()
            try directory.writePlan(existing ?? plan)
        } catch {
            throw CommandFailure(error)
        }
        defer { withExtendedLifetime(lock) {} }
        try writeScripts(existing ?? plan, directory: directory, limit: options.arrayLimit)
        if options.dryRun {
            try StandardStreams.writeOutput(CostTable.text(plan: plan, directory: directory, limit: options.arrayLimit,
                                                          slurmArguments: slurmArguments))
            return
        }
        guard let client else { return }
        if let existing {
            let submitted = (try? directory.readSubmissions())?.isEmpty == false
            try resubmit(existing, command: command, directory: directory, client: client, limit: options.arrayLimit,
                         slurmArguments: slurmArguments, wait: !options.noWait, pollInterval: options.pollInterval,
                         note: submitted ? "\(directory.path) already holds this sweep's plan; submitting the points without a result" : nil)
            return
        }
        let submission = try submitJobs(plan, indices: plan.points.map(\.index), directory: directory, client: client,
                                        limit: options.arrayLimit, slurmArguments: slurmArguments)
        try finish(submission, plan: plan, command: command, directory: directory, client: client, wait: !options.noWait,
                   pollInterval: options.pollInterval)
    }

    /// The running executable (the tasks call the same build).
    static func executablePath() -> String {
        if let resolved = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return resolved }
        return WorkDirectory.absolute(CommandLine.arguments.first ?? "riccati")
    }

    static func writeScripts(_ plan: SweepPlan, directory: WorkDirectory, limit: Int?) throws(CommandFailure) {
        do {
            try directory.writeScripts(SlurmBatchScripts(plan: plan, directory: directory, limit: limit))
        } catch {
            throw CommandFailure(error)
        }
    }

    /// The `sbatch` options the tool sets for every job, before the user's `--slurm-args`.
    static func commonOptions(_ plan: SweepPlan, directory: WorkDirectory, log: String, name: String) -> [String] {
        ["--job-name=\(name)", "--output=\(SlurmBatchScripts.escapePattern(directory.logsPath))/\(log)", "--chdir=\(plan.workingDirectory)"]
    }

    /// Submits the array of `indices` and its merge; on a refused merge the array is cancelled,
    /// so nothing is left half-submitted.
    static func submitJobs(_ plan: SweepPlan, indices: [Int], directory: WorkDirectory, client: SlurmClient, limit: Int?,
                           slurmArguments: [String]) throws(CommandFailure) -> SweepSubmission {
        do throws(SweepPlanError) {
            var arrayJob: String?
            if !indices.isEmpty {
                arrayJob = try client.submit(directory.arrayScriptPath,
                                             options: ["--array=\(ArraySpecification.make(indices, limit: limit))"]
                                                + commonOptions(plan, directory: directory, log: "task-%A_%a.out", name: "riccati-sweep")
                                                + slurmArguments)
            }
            let mergeJob: String
            do throws(SweepPlanError) {
                mergeJob = try client.submit(directory.mergeScriptPath,
                                             options: (arrayJob.map { ["--dependency=afterok:\($0)", "--kill-on-invalid-dep=yes"] } ?? [])
                                                + commonOptions(plan, directory: directory, log: "merge-%j.out", name: "riccati-merge")
                                                + slurmArguments)
            } catch {
                if let arrayJob { try? client.cancel(arrayJob) }
                throw error
            }
            let submission = SweepSubmission(arrayJob: arrayJob ?? "", indices: indices, mergeJob: mergeJob,
                                             submittedAt: Date().timeIntervalSince1970)
            try directory.recordSubmission(submission)
            return submission
        } catch {
            throw CommandFailure(error)
        }
    }

    /// Prints the job ids (`--no-wait`) or waits for the merge.
    static func finish<Command: DistributableCommand>(_ submission: SweepSubmission, plan: SweepPlan, command: Command,
                                                      directory: WorkDirectory, client: SlurmClient, wait: Bool,
                                                      pollInterval: Double) throws(CommandFailure) {
        guard wait else {
            let array = submission.arrayJob.isEmpty ? "no array job" : "array job \(submission.arrayJob) (\(submission.indices.count) tasks)"
            try StandardStreams.writeOutput("submitted \(array) and merge job \(submission.mergeJob); "
                + "riccati sweep status \(ShellQuoting.quoteIfNeeded(directory.path)) follows them\n")
            return
        }
        try SweepWaiter(plan: plan, directory: directory, client: client, submission: submission, pollInterval: pollInterval,
                        states: { command.states(plan: plan, directory: directory) }).wait()
    }

    /// Submits the points of `plan` without a valid result (and the merge), after checking that no
    /// job of the sweep is still queued or running.
    static func resubmit<Command: DistributableCommand>(_ plan: SweepPlan, command: Command, directory: WorkDirectory,
                                                        client: SlurmClient, limit: Int?, slurmArguments: [String], wait: Bool,
                                                        pollInterval: Double, note: String? = nil) throws(CommandFailure) {
        let active: [QueueEntry]
        let submissions: [SweepSubmission]
        do throws(SweepPlanError) {
            submissions = try directory.readSubmissions()
            active = try activeJobs(of: submissions, client: client)
        } catch {
            throw CommandFailure(error)
        }
        if !active.isEmpty {
            throw .badInput("the sweep in \(directory.path) still has \(active.count) job(s) queued or running ("
                + active.prefix(5).map(\.id).joined(separator: ", ") + (active.count > 5 ? ", …" : "")
                + "); wait for them (riccati sweep status) or scancel them first")
        }
        if let note { RiccatiCLI.report("note: \(note)") }
        let states = command.states(plan: plan, directory: directory)
        let indices = states.indices.filter { !states[$0].isDone }
        if indices.isEmpty, FileManager.default.fileExists(atPath: directory.mergedReportPath) {
            RiccatiCLI.report("note: every point of \(directory.path) has its result and the merge is done; nothing submitted")
            try printMergedReport(directory)
            return
        }
        directory.clear(indices)
        let submission = try submitJobs(plan, indices: indices, directory: directory, client: client, limit: limit,
                                        slurmArguments: slurmArguments)
        try finish(submission, plan: plan, command: command, directory: directory, client: client, wait: wait, pollInterval: pollInterval)
    }

    /// The queued or running jobs of the recorded submissions.
    static func activeJobs(of submissions: [SweepSubmission], client: SlurmClient) throws(SweepPlanError) -> [QueueEntry] {
        let ids = Set(submissions.flatMap { [$0.arrayJob, $0.mergeJob] }.filter { !$0.isEmpty })
        guard !ids.isEmpty else { return [] }
        return try client.activeEntries().filter { ids.contains($0.jobID) }
    }

    /// Writes `merged-report` (the merge's standard output) to standard output.
    static func printMergedReport(_ directory: WorkDirectory) throws(CommandFailure) {
        guard let text = try? String(contentsOfFile: directory.mergedReportPath, encoding: .utf8) else {
            throw .runtime("\(directory.mergedReportPath) cannot be read")
        }
        if !text.isEmpty { try StandardStreams.writeOutput(text) }
    }

    /// The message of an incomplete sweep: how many points lack a result, and which (at most 10 named).
    static func incompleteMessage(_ plan: SweepPlan, states: [PointState], directory: WorkDirectory) -> String {
        let missing = states.indices.filter { !states[$0].isDone }
        var parts: [String] = []
        for index in missing.prefix(10) {
            let what: String
            switch states[index] {
            case .failed(let message): what = "failed: \(message)"
            case .damaged(let reason): what = "damaged result: \(reason)"
            case .missing, .done: what = "no result (cancelled or lost)"
            }
            parts.append("point \(index) (\(plan.points[index].label)) \(what)")
        }
        if missing.count > 10 { parts.append("… \(missing.count - 10) more") }
        return "the sweep is incomplete: \(missing.count) of \(plan.points.count) points without a result: " + parts.joined(separator: "; ")
            + "; riccati sweep resubmit \(ShellQuoting.quoteIfNeeded(directory.path)) runs them again"
    }
}
