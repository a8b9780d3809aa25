import ArgumentParser
import SweepPlans

/// `riccati sweep task DIR INDEX`: what one Slurm array task runs.
struct SweepTaskCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "task",
        abstract: "Run one point of a planned sweep and write its result into the work directory (what each array task runs).",
        discussion: """
            The result goes to DIR/results/point-INDEX.json, written atomically; a failure is recorded in \\
            DIR/results/point-INDEX.failed (its one-line message) and ends with the command's exit code. A task \\
            stopped by a signal (scancel) writes nothing.
            """)

    @Argument(help: "The sweep's work directory.") var workDirectory: String
    @Argument(help: "The point's index in the plan (Slurm's SLURM_ARRAY_TASK_ID).") var index: Int

    func run() throws {
        let sweep: PlannedSweep
        do {
            sweep = try PlannedSweep(path: workDirectory)
        } catch {
            // A plan that no longer validates (an output folder gone, the working directory
            // removed) fails the point with its reason, so the waiting command can name it.
            let directory = WorkDirectory(path: workDirectory)
            if let plan = try? directory.readPlan(), plan.points.indices.contains(index) {
                try? directory.writeFailure(error.description, index: index)
            }
            throw error
        }
        try sweep.checkIndex(index)
        do {
            try sweep.command.runTask(index, plan: sweep.plan, directory: sweep.directory)
        } catch let failure as CommandFailure {
            if case .interrupted = failure {} else { try? sweep.directory.writeFailure(failure.description, index: index) }
            throw failure
        }
    }
}
