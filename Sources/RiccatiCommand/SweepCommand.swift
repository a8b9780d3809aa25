import ArgumentParser

/// `riccati sweep …`: the tasks, status, merge and resubmission of a sweep run with `--backend slurm`.
struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Follow, merge or complete a sweep submitted with --backend slurm (its work directory holds everything).",
        discussion: """
            Exit codes as for every command, plus 4: the sweep is incomplete (points without a result, or a \\
            failed merge; riccati sweep resubmit completes it) and 5: Slurm cannot be used (no sbatch on PATH, \\
            the controller does not answer, sbatch refused the job: nothing was submitted; or contact was lost \\
            while waiting: the jobs may go on).
            """,
        subcommands: [SweepStatusCommand.self, SweepMergeCommand.self, SweepResubmitCommand.self, SweepTaskCommand.self])
}
