import ArgumentParser
import SweepPlans

/// `riccati sweep merge DIR`: the outputs of a local run, from the points' results.
struct SweepMergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Assemble the results of a planned sweep into the outputs a local run writes (what the merge job runs).",
        discussion: """
            Writes the report (standard output or the command's --output), --npy-dir and --plot exactly as the \\
            same command with --backend local would. Every point must have its result: otherwise exit code 4, \\
            naming the points without one.
            """)

    @Argument(help: "The sweep's work directory.") var workDirectory: String

    func run() throws {
        let sweep = try PlannedSweep(path: workDirectory)
        let states = sweep.states
        if states.contains(where: { !$0.isDone }) {
            throw CommandFailure.incomplete(SlurmSweep.incompleteMessage(sweep.plan, states: states, directory: sweep.directory))
        }
        try sweep.command.merge(plan: sweep.plan, directory: sweep.directory)
    }
}
