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
    /// directory (relative paths of the command resolve there) and parses its arguments. With
    /// `validating` (tasks, merge, resubmit) the command is also validated as a local run would
    /// be, its outputs included, and its points must be the plan's (a plan edited by hand is
    /// refused); without (`status`), a working directory that is gone is only a note.
    init(path: String, validating: Bool = true) throws(CommandFailure) {
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
        let inWorkingDirectory = FileManager.default.changeCurrentDirectoryPath(plan.workingDirectory)
        if validating, !inWorkingDirectory {
            throw .badInput("\(directory.planPath): the sweep's working directory \(plan.workingDirectory) is gone (its relative paths resolve there)")
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
        guard validating else { return }
        let points: [PlannedPoint]
        do {
            points = try command.plannedPoints()
        } catch let failure as CommandFailure {
            throw failure
        } catch {
            throw .runtime("\(error)")
        }
        guard points.map(\.label) == plan.points.map(\.label) else {
            throw .badInput("\(directory.planPath): damaged plan: it lists \(plan.points.count) points, its arguments give \(points.count) others")
        }
    }

    var states: [PointState] { command.states(plan: plan, directory: directory) }

    /// `index` as a point of the plan, or bad input.
    func checkIndex(_ index: Int) throws(CommandFailure) {
        guard plan.points.indices.contains(index) else {
            throw .badInput("point index \(index) is not in the plan of \(directory.path) (0 … \(plan.points.count - 1))")
        }
    }
}
