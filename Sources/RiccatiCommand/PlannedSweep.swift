import Foundation
import Riccati
import ArgumentParser
import SweepPlans

/// A work directory's plan and the command it describes, re-parsed with the command's own parser.
struct PlannedSweep {
    let directory: WorkDirectory
    let plan: SweepPlan
    let command: any DistributableCommand

    /// Reads `DIR/plan.json`, checks that this build wrote it, changes to the plan's working
    /// directory (relative paths of the command resolve there) and parses its arguments.
    init(path: String) throws(CommandFailure) {
        directory = WorkDirectory(path: path)
        do {
            plan = try directory.readPlan()
        } catch {
            throw CommandFailure(error)
        }
        guard plan.toolVersion == RiccatiKitVersion.current else {
            throw .badInput("\(directory.planPath): planned by riccati \(plan.toolVersion); this is \(RiccatiKitVersion.current) "
                + "(its results could differ): run it with that version, or plan it again in a new --work-dir")
        }
        guard FileManager.default.changeCurrentDirectoryPath(plan.workingDirectory) else {
            throw .runtime("\(directory.planPath): cannot change to the sweep's working directory \(plan.workingDirectory)")
        }
        let parsed: any ParsableCommand
        do {
            parsed = try RiccatiCLI.parseAsRoot(plan.arguments)
        } catch {
            throw .runtime("\(directory.planPath): its arguments no longer parse: "
                + (RiccatiCLI.oneLine(RiccatiCLI.fullMessage(for: error)) ?? "\(error)"))
        }
        guard let command = parsed as? any DistributableCommand, type(of: command).commandPath == plan.command else {
            throw .runtime("\(directory.planPath): '\(plan.command)' is not a command that runs as a sweep")
        }
        self.command = command
    }

    var states: [PointState] { command.states(plan: plan, directory: directory) }

    /// `index` as a point of the plan, or bad input.
    func checkIndex(_ index: Int) throws(CommandFailure) {
        guard plan.points.indices.contains(index) else {
            throw .badInput("point index \(index) is not in the plan of \(directory.path) (0 … \(plan.points.count - 1))")
        }
    }
}
