import Foundation
import Riccati
import ScalingLaws
import SweepPlans

/// `riccati scaling sweep --backend slurm`: one array task per grid point.
extension ScalingSweepCommand {
    /// Multiply-adds per exact-propagator step and grid point, as a multiple of `r_s²·(r + r_s)`
    /// (the products of the LQ step), and the rate they ran at on one core of the reference
    /// machine (2 shared cores, OpenBLAS, one thread): the cost table's time estimate.
    static let exactStepWork = 12.0
    static let referenceMultiplyAddsPerSecond = 4e9

    func plannedPoints() throws -> [PlannedPoint] {
        let sweep = try prepare().sweep
        var points: [PlannedPoint] = []
        for index in 0..<sweep.pointCount {
            let point: (alpha: Double, teacherWidth: Int, studentWidth: Int, dimension: Double, seed: UInt64)
            do {
                point = try sweep.gridPoint(index)
            } catch {
                throw CommandFailure(error, flags: Self.flags)
            }
            let label = "alpha=\(point.alpha) r=\(point.teacherWidth) rs=\(point.studentWidth) d=\(InputChecks.whole(point.dimension)) seed=\(point.seed)"
            let method: IntegrationMethod = sweep.activation.isQuadratic ? .exact(ExactPropagatorOptions(factorization: sweep.factorization))
                                                                         : .dormandPrince(sweep.flowOptions)
            let memory = OverlapProblem.memoryEstimate(studentWidth: point.studentWidth, teacherWidth: point.teacherWidth,
                                                       saveCount: sweep.saveCount, method: method) + (3 * Double(sweep.saveCount) + 16) * 8
            var cost = TaskCost(steps: nil, memoryBytes: memory)
            if sweep.activation.isQuadratic {
                let steps = try Self.exactSteps(sweep, alpha: point.alpha, r: point.teacherWidth, rs: point.studentWidth, d: point.dimension).steps
                let rs = Double(point.studentWidth), width = Double(point.teacherWidth + point.studentWidth)
                let work = steps * Self.exactStepWork * rs * rs * width
                cost = TaskCost(steps: steps, multiplyAdds: work, memoryBytes: memory, seconds: work / Self.referenceMultiplyAddsPerSecond)
            }
            points.append(PlannedPoint(index: index, label: label, cost: cost))
        }
        return points
    }

    func runTask(_ index: Int, plan: SweepPlan, directory: WorkDirectory) throws {
        let sweep = try prepare().sweep
        let point: SweepPoint?
        do {
            point = try sweep.runPoint(at: index, shouldStop: { Interruption.requested })
        } catch {
            throw CommandFailure.runtime(CommandFailure(error, flags: Self.flags).description)
        }
        guard let point else {
            throw CommandFailure.interrupted(Interruption.message("point \(index) stopped before its end; no result written"))
        }
        do {
            try directory.writeResult(point, index: index, plan: plan)
        } catch {
            throw CommandFailure(error)
        }
    }

    func states(plan: SweepPlan, directory: WorkDirectory) -> [PointState] {
        directory.states(of: plan, as: SweepPoint.self)
    }

    func merge(plan: SweepPlan, directory: WorkDirectory) throws {
        let prepared = try prepare()
        var points: [SweepPoint] = []
        for point in plan.points {
            do {
                points.append(try directory.readResult(SweepPoint.self, index: point.index, plan: plan))
            } catch {
                throw CommandFailure(error)
            }
        }
        try write(points, prepared: prepared, interrupted: false)
    }
}
