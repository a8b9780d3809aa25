import Foundation
import Reports
import Riccati
import SGD
import SweepPlans

/// `riccati compare --backend slurm`: one array task per SGD run.
///
/// The points: with `--lr-sweep`, point 0 is the comparison of the run itself and points
/// `1 + i·S + j` the runs of learning rate `i` with seed offset `j` (`S` = `--seeds`), each
/// reduced to its maximum relative deviation; with `--seeds N` alone, point `j` is seed `j` of
/// the ensemble (its risk series), and the merge computes `(M0, P0)` and both predictions; a
/// plain comparison is one point. Each point is the unit the local run runs too
/// (``ODEComparison/run(_:precision:progress:shouldStop:)``,
/// ``LearningRateSweep/run(base:learningRate:seedOffset:saveTimes:precision:shouldStop:)``,
/// ``SeedEnsemble/runSeed(_:shared:precision:shouldStop:)``), so the merged outputs are the
/// local run's, bit for bit.
extension CompareCommand {
    /// What one point computes.
    enum TaskUnit: Equatable {
        /// SGD against the ODE with the run's own configuration.
        case comparison
        /// One run of the learning-rate sweep.
        case sweepRun(learningRate: Double, seedOffset: Int)
        /// One run of the seed ensemble.
        case seedRun(Int)
    }

    /// The result a point's task writes.
    enum TaskResult: Codable, Sendable {
        case comparison(ODEComparison)
        case sweepRun(LearningRateSweep.Run)
        case seedRun(SeedRun)
    }

    /// The points of `prepared`, in plan order (see the type's documentation).
    static func units(_ prepared: Prepared) -> [TaskUnit] {
        if let ensemble = prepared.ensemble { return (0..<ensemble.seeds).map { .seedRun($0) } }
        var units: [TaskUnit] = [.comparison]
        for rate in prepared.rates ?? [] {
            units += (0..<prepared.seeds).map { .sweepRun(learningRate: rate, seedOffset: $0) }
        }
        return units
    }

    /// The configuration `unit` runs SGD with (for the cost table; a seed of the ensemble
    /// differs from the base only in its seed and its explicit `W0`).
    static func configuration(of unit: TaskUnit, prepared: Prepared) -> SGDConfiguration {
        switch unit {
        case .comparison: return prepared.configuration
        case .sweepRun(let rate, let offset):
            return LearningRateSweep.configuration(base: prepared.configuration, learningRate: rate, seedOffset: offset,
                                                   saveTimes: LearningRateSweep.saveTimes(of: prepared.configuration))
        case .seedRun(let index):
            var configuration = prepared.configuration
            configuration.seed = configuration.seed &+ UInt64(index)
            configuration.threads = 1
            return configuration
        }
    }

    func plannedPoints() throws -> [PlannedPoint] {
        let prepared = try prepare()
        return Self.units(prepared).enumerated().map { index, unit in
            let configuration = Self.configuration(of: unit, prepared: prepared)
            // The runs share d, r_s and B: the label names what differs.
            let label: String
            switch unit {
            case .comparison: label = "compare lr=\(configuration.learningRate) seed=\(configuration.seed) steps=\(configuration.steps)"
            case .sweepRun: label = "sweep lr=\(configuration.learningRate) seed=\(configuration.seed) steps=\(configuration.steps)"
            case .seedRun: label = "ensemble seed=\(configuration.seed) steps=\(configuration.steps)"
            }
            return PlannedPoint(index: index, label: label, cost: cost(of: configuration, unit: unit))
        }
    }

    /// A point's cost: its steps, `2·B·d·r_s` multiply-adds per step, its memory (a comparison's
    /// as the local memory check counts it, ``MemoryChecks/compareBytes(_:precision:sweepValues:arrays:)``;
    /// an ensemble run's working set and records) and a time from the rates of
    /// ``ScalingComputeCommand/referenceMultiplyAddsPerSecond`` and
    /// ``ScalingComputeCommand/referenceDrawsPerSecond`` (twice the multiply-add time in double
    /// precision). The ODE's integration is not in the time: it is small beside the SGD run for
    /// the quadratic model's exact propagator.
    func cost(of configuration: SGDConfiguration, unit: TaskUnit) -> TaskCost {
        let steps = Double(configuration.steps)
        let batchEntries = Double(configuration.batchSize) * Double(configuration.dimension)
        let work = steps * 2 * batchEntries * Double(configuration.studentWidth)
        let memory: Double
        switch unit {
        case .comparison, .sweepRun:
            memory = MemoryChecks.compareBytes(configuration, precision: options.precision, sweepValues: 0, arrays: false)
        case .seedRun:
            memory = options.precision == .float ? configuration.memoryEstimate(precision: Float.self).totalBytes
                                                 : configuration.memoryEstimate(precision: Double.self).totalBytes
        }
        let seconds = work / ScalingComputeCommand.referenceMultiplyAddsPerSecond * (options.precision == .float ? 1 : 2)
            + steps * batchEntries / ScalingComputeCommand.referenceDrawsPerSecond
        return TaskCost(steps: steps, multiplyAdds: work, memoryBytes: memory, seconds: seconds)
    }

    func runTask(_ index: Int, plan: SweepPlan, directory: WorkDirectory) throws {
        let prepared = try prepare()
        let units = Self.units(prepared)
        guard units.indices.contains(index) else {
            throw CommandFailure.badInput("point index \(index) is not one of the \(units.count) runs of this comparison")
        }
        let result: TaskResult?
        do {
            switch options.precision {
            case .double: result = try Self.run(units[index], prepared: prepared, precision: Double.self)
            case .float: result = try Self.run(units[index], prepared: prepared, precision: Float.self)
            }
        } catch {
            throw CommandFailure(error, flags: options.flags)
        }
        guard let result else {
            throw CommandFailure.interrupted(Interruption.message("point \(index) stopped before its end; no result written"))
        }
        do {
            try directory.writeResult(result, index: index, plan: plan)
        } catch {
            throw CommandFailure(error)
        }
    }

    /// Runs `unit` in `Scalar` precision; `nil` when interrupted before its end.
    static func run<Scalar: SGDScalar>(_ unit: TaskUnit, prepared: Prepared, precision: Scalar.Type) throws(SGDError) -> TaskResult? {
        let configuration = prepared.configuration
        switch unit {
        case .comparison:
            let comparison = try ODEComparison.run(configuration, precision: Scalar.self, shouldStop: { Interruption.requested })
            return comparison.completed ? .comparison(comparison) : nil
        case .sweepRun(let rate, let offset):
            return try LearningRateSweep.run(base: configuration, learningRate: rate, seedOffset: offset,
                                             saveTimes: LearningRateSweep.saveTimes(of: configuration), precision: Scalar.self,
                                             shouldStop: { Interruption.requested }).map(TaskResult.sweepRun)
        case .seedRun(let index):
            guard let ensemble = prepared.ensemble else {
                throw .invalidParameter(name: "seeds", value: "", reason: "a seed run needs a seed ensemble")
            }
            return try ensemble.runSeed(index, shared: try ensemble.sharedConfiguration(), precision: Scalar.self,
                                        shouldStop: { Interruption.requested }).map(TaskResult.seedRun)
        }
    }

    func states(plan: SweepPlan, directory: WorkDirectory) -> [PointState] {
        directory.states(of: plan, as: TaskResult.self)
    }

    func merge(plan: SweepPlan, directory: WorkDirectory) throws {
        let prepared = try prepare()
        let units = Self.units(prepared)
        guard plan.points.count == units.count else {
            throw CommandFailure.runtime("\(directory.planPath): \(plan.points.count) points, but the comparison has \(units.count) runs")
        }
        var results: [TaskResult] = []
        for point in plan.points {
            do {
                results.append(try directory.readResult(TaskResult.self, index: point.index, plan: plan))
            } catch {
                throw CommandFailure(error)
            }
        }
        /// A result of the wrong kind for its point: damaged.
        func damaged(_ index: Int, _ reason: String) -> CommandFailure {
            CommandFailure(SweepPlanError.damagedResult(index: index, path: directory.resultPath(index), reason: reason))
        }
        if let ensemble = prepared.ensemble {
            var runs: [SeedRun?] = []
            for (index, result) in results.enumerated() {
                guard case .seedRun(let run) = result else { throw damaged(index, "not the result of an ensemble's run") }
                runs.append(run)
            }
            let comparison: SeedEnsembleComparison
            do {
                let shared = try ensemble.sharedConfiguration()
                let initialState: OverlapState
                switch options.precision {
                case .double: initialState = try ensemble.initialState(shared: shared, precision: Double.self)
                case .float: initialState = try ensemble.initialState(shared: shared, precision: Float.self)
                }
                comparison = try SeedEnsembleComparison.compare(ensemble.result(initialState: initialState, shared: shared, runs: runs),
                                                                configuration: ensemble.base, shouldStop: { Interruption.requested })
            } catch {
                throw CommandFailure(error, flags: options.flags)
            }
            try finishEnsemble(comparison, prepared: prepared)
            return
        }
        guard case .comparison(let comparison) = results[0] else { throw damaged(0, "not the result of a comparison") }
        var sweep: LearningRateSweep?
        if let rates = prepared.rates {
            var points: [LearningRateSweep.Point] = []
            for (rateIndex, rate) in rates.enumerated() {
                var runs: [LearningRateSweep.Run] = []
                for offset in 0..<prepared.seeds {
                    let index = 1 + rateIndex * prepared.seeds + offset
                    guard case .sweepRun(let run) = results[index], run.learningRate == rate,
                          run.seed == prepared.configuration.seed &+ UInt64(offset) else {
                        throw damaged(index, "not the result of the run of lr=\(rate) with seed offset \(offset)")
                    }
                    runs.append(run)
                }
                points.append(LearningRateSweep.Point(learningRate: rate, runs: runs))
            }
            sweep = LearningRateSweep(points: points)
        }
        try finish(comparison, sweep: sweep, prepared: prepared)
    }
}
