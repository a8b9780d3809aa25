import Foundation
import Riccati
import ScalingLaws
import SweepPlans

/// `riccati scaling sweep --backend slurm`: one array task per grid point.
extension ScalingSweepCommand {
    /// The cost table's time model of one exact-propagator step, `r_s²·(r + r_s) / rate` seconds,
    /// with at least one step per save time: fitted on the 2-core reference machine (one thread)
    /// to whole grid points at r = 256, r_s = 64 and 256, 50 saves (0.066 s and 1.1 s measured,
    /// 0.055 s and 1.4 s modelled).
    static let referenceStepRate = 1.2e9

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
                let capped = try Self.exactSteps(sweep, alpha: point.alpha, r: point.teacherWidth, rs: point.studentWidth, d: point.dimension).steps
                let steps = Swift.max(capped.rounded(.up), Double(sweep.saveCount))
                let rs = Double(point.studentWidth), width = Double(point.teacherWidth + point.studentWidth)
                cost = TaskCost(steps: steps, memoryBytes: memory, seconds: steps * rs * rs * width / Self.referenceStepRate)
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
