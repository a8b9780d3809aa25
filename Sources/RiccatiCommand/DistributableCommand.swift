import ArgumentParser
import SweepPlans

/// A command whose work is a list of independent points that can run as separate tasks
/// (`--backend slurm`): it plans the points after validating everything a local run
/// validates, runs one point into a work directory, and merges the results into the very
/// outputs its local run writes. Each task and the merge re-parse the plan's arguments with
/// the command's own parser, so every point is configured as the local run configures it.
protocol DistributableCommand: ParsableCommand {
    /// The subcommand's words after `riccati`, e.g. `scaling sweep`.
    static var commandPath: String { get }
    var backendOptions: BackendOptions { get }
    /// Validates the whole command (exit code 2 on bad input) and lists its points with their costs.
    func plannedPoints() throws -> [PlannedPoint]
    /// Runs point `index` and writes its result into `directory` (atomically).
    func runTask(_ index: Int, plan: SweepPlan, directory: WorkDirectory) throws
    /// The state of every point's result in `directory`.
    func states(plan: SweepPlan, directory: WorkDirectory) -> [PointState]
    /// Reads every point's result and writes the local run's outputs (report, `--npy-dir`, `--plot`).
    func merge(plan: SweepPlan, directory: WorkDirectory) throws
}

extension DistributableCommand {
    /// Runs the command: locally, or planned, submitted and (by default) awaited on Slurm.
    /// Returns `true` when the Slurm backend handled it.
    func runOnBackend() throws -> Bool {
        let slurmArguments = try backendOptions.check()
        guard backendOptions.backend == .slurm else { return false }
        try SlurmSweep.submit(self, slurmArguments: slurmArguments)
        return true
    }
}
