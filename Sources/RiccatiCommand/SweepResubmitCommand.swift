import ArgumentParser
import SweepPlans

/// `riccati sweep resubmit DIR`: runs the points of a sweep that have no valid result.
struct SweepResubmitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resubmit",
        abstract: "Submit the points of a planned sweep whose result is missing, failed or damaged, and a new merge.",
        discussion: """
            Refused while jobs of the sweep are still queued or running. The array limit, sbatch arguments and \\
            polling interval default to those of the original command. Waits for the merged result like the \\
            original command unless --no-wait.
            """)

    @Argument(help: "The sweep's work directory.") var workDirectory: String
    @Option(name: .customLong("array-limit"), help: "At most this many array tasks at once (default: the original command's).")
    var arrayLimit: Int?
    @Option(name: .customLong("slurm-args"), parsing: .unconditional, help: "Extra sbatch arguments (default: the original command's).")
    var slurmArguments: String?
    @Flag(name: .customLong("no-wait"), help: "Print the job ids and return.") var noWait = false
    @Option(name: .customLong("poll-interval"), help: "Seconds between two looks at the queue (default: the original command's).")
    var pollInterval: Double?

    func run() throws {
        let sweep = try PlannedSweep(path: workDirectory)
        let lock: SubmissionLock
        do {
            lock = try sweep.directory.lockForSubmission()
        } catch {
            throw CommandFailure(error)
        }
        defer { withExtendedLifetime(lock) {} }
        let original = sweep.command.backendOptions
        let limit = arrayLimit ?? original.arrayLimit
        let interval = pollInterval ?? original.pollInterval
        let words = try BackendOptions.checkSlurmOptions(arrayLimit: limit, slurmArguments: slurmArguments ?? original.slurmArguments,
                                                         pollInterval: interval)
        let client: SlurmClient
        do {
            client = try SlurmClient()
            try client.checkController()
        } catch {
            throw CommandFailure(error)
        }
        try SlurmSweep.writeScripts(sweep.plan, directory: sweep.directory, limit: limit)
        try SlurmSweep.resubmit(sweep.plan, command: sweep.command, directory: sweep.directory, client: client, limit: limit,
                                slurmArguments: words, wait: !noWait, pollInterval: interval)
    }
}
