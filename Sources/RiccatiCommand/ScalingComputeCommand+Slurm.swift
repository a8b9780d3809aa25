import Foundation
import Riccati
import SGD
import ScalingLaws
import SweepPlans

/// `riccati scaling compute --backend slurm`: one array task per student width.
extension ScalingComputeCommand {
    /// The cost table's time model of one SGD step, `2·B·d·r_s` multiply-adds (the forward and
    /// backward products) at ``referenceMultiplyAddsPerSecond`` plus `B·d` Gaussian draws at
    /// ``referenceDrawsPerSecond``: the rates of `riccati sgd --precision float` at d = 3200,
    /// B = d on the 2-core reference machine with --threads 2 (7.7 steps/s at r_s = 64, 2 at 512).
    static let referenceMultiplyAddsPerSecond = 2e10
    static let referenceDrawsPerSecond = 1.5e8

    func plannedPoints() throws -> [PlannedPoint] {
        let prepared = try prepare()
        return prepared.widths.enumerated().map { index, width in
            var configuration = prepared.base
            configuration.studentWidth = width
            let steps = Double(configuration.steps)
            let batchEntries = Double(configuration.batchSize) * Double(configuration.dimension)
            let work = steps * 2 * batchEntries * Double(width)
            let memory = precision == .float ? configuration.memoryEstimate(precision: Float.self).totalBytes
                                             : configuration.memoryEstimate(precision: Double.self).totalBytes
            let seconds = work / Self.referenceMultiplyAddsPerSecond
                * (precision == .float ? 1 : 2) + steps * batchEntries / Self.referenceDrawsPerSecond
            return PlannedPoint(index: index, label: "rs=\(width) (d=\(configuration.dimension), B=\(configuration.batchSize), K=\(configuration.steps))",
                                cost: TaskCost(steps: steps, multiplyAdds: work, memoryBytes: memory, seconds: seconds))
        }
    }

    func runTask(_ index: Int, plan: SweepPlan, directory: WorkDirectory) throws {
        let prepared = try prepare()
        guard prepared.widths.indices.contains(index) else {
            throw CommandFailure.badInput("point index \(index) is not one of the \(prepared.widths.count) widths")
        }
        let run: (curve: ComputeFrontier.Curve, completed: Bool)
        do {
            switch precision {
            case .double: run = try ComputeFrontier.runCurve(base: prepared.base, width: prepared.widths[index], precision: Double.self,
                                                             shouldStop: { Interruption.requested })
            case .float: run = try ComputeFrontier.runCurve(base: prepared.base, width: prepared.widths[index], precision: Float.self,
                                                            shouldStop: { Interruption.requested })
            }
        } catch {
            throw CommandFailure(error, flags: Self.flags)
        }
        guard run.completed else {
            throw CommandFailure.interrupted(Interruption.message("width \(prepared.widths[index]) stopped before its last step; no result written"))
        }
        do {
            try directory.writeResult(run.curve, index: index, plan: plan)
        } catch {
            throw CommandFailure(error)
        }
    }

    func states(plan: SweepPlan, directory: WorkDirectory) -> [PointState] {
        directory.states(of: plan, as: ComputeFrontier.Curve.self)
    }

    func merge(plan: SweepPlan, directory: WorkDirectory) throws {
        let prepared = try prepare()
        var curves: [ComputeFrontier.Curve] = []
        for point in plan.points {
            do {
                curves.append(try directory.readResult(ComputeFrontier.Curve.self, index: point.index, plan: plan))
            } catch {
                throw CommandFailure(error)
            }
        }
        let frontier: ComputeFrontier
        do {
            frontier = try ComputeFrontier.envelope(of: curves, gridCount: gridCount)
        } catch {
            throw CommandFailure(error, flags: Self.flags)
        }
        try write(frontier, prepared: prepared)
    }
}
