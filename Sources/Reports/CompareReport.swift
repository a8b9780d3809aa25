import Foundation
import SGD

/// The report of `riccati compare`: SGD against the overlap ODE from the SGD's own `(M0, P0)`,
/// and optionally a learning-rate sweep of the maximum relative risk deviation; or, with
/// `--seeds N` alone, a seed ensemble's mean risk against the gradient flow and the SGD-aware
/// mean map (``init(ensemble:run:)``).
public struct CompareReport: Sendable {
    /// The single run against the ODE (`nil` for an ensemble).
    public let comparison: ODEComparison?
    /// The seed ensemble against both predictions (`nil` for a single run).
    public let ensemble: SeedEnsembleComparison?
    public let sweep: LearningRateSweep?
    /// Seeds per learning rate of the sweep, or runs of the ensemble.
    public let seeds: Int
    public let run: SGDRunDescription
    /// The `config` object, provenance included.
    public let configuration: [(String, JSONValue)]

    public init(comparison: ODEComparison, sweep: LearningRateSweep?, seeds: Int, run: SGDRunDescription) {
        self.comparison = comparison
        self.ensemble = nil
        self.sweep = sweep
        self.seeds = seeds
        self.run = run
        // The status is `interrupted` when the SGD run, its ODE or the learning-rate sweep was stopped early.
        var status = comparison.sgd
        if sweep?.completed == false { status.completed = false }
        configuration = run.configuration(of: status, resumedFromStep: nil)
    }

    /// The report of a seed ensemble of `run`'s configuration. `config` gains `seeds` (runs
    /// asked for) and `seedsCompleted`; `status` is `interrupted` when the ensemble or a
    /// prediction was stopped early.
    public init(ensemble: SeedEnsembleComparison, run: SGDRunDescription) {
        self.comparison = nil
        self.ensemble = ensemble
        self.sweep = nil
        self.seeds = ensemble.ensemble.requestedRuns
        self.run = run
        let finished = ensemble.ensemble.seeds.count
        configuration = run.configuration(completed: ensemble.completed, finalStep: finished > 0 ? run.configuration.steps : 0,
                                          extra: [("seeds", .integer(ensemble.ensemble.requestedRuns)), ("seedsCompleted", .integer(finished))])
    }

    /// The report in `format`.
    public func text(_ format: ReportFormat) -> String {
        guard let comparison else { return ensemble.map { ensembleText($0, format) } ?? "" }
        switch format {
        case .json:
            var members: [(String, JSONValue)] = [
                ("times", .numbers(comparison.times)),
                ("riskSGD", .numbers(comparison.riskSGD)),
                ("riskODE", .numbers(comparison.riskODE)),
                ("relativeDeviation", .numbers(comparison.relativeDeviation)),
                ("maxRelativeDeviation", .number(comparison.maxRelativeDeviation)),
                ("overlapDeviation", .numbers(comparison.overlapDeviation)),
                ("maxOverlapDeviation", .number(comparison.maxOverlapDeviation)),
                ("stats", SGDReport.statistics(comparison.sgd.statistics)),
            ]
            if let sweep {
                members.append(("sweep", .array(sweep.points.map { point in
                    .object([("lr", .number(point.learningRate)), ("meanMaxRelativeDeviation", .number(point.meanMaxRelativeDeviation)),
                             ("maxRelativeDeviations", .numbers(point.maxRelativeDeviations)),
                             ("seeds", .array(point.seeds.map { .string(String($0)) }))])
                })))
                members.append(("sweepSlope", sweep.slope.map(JSONValue.number) ?? .null))
            }
            members.append(("config", .object(configuration)))
            return JSONValue.object(members).serialized(indent: 2) + "\n"
        case .csv:
            var lines = ["# riccati compare " + JSONValue.keyValueLine(configuration)]
            lines.append("t,riskSGD,riskODE,relativeDeviation,overlapDeviation")
            for index in comparison.times.indices {
                lines.append("\(comparison.times[index]),\(comparison.riskSGD[index]),\(comparison.riskODE[index]),\(comparison.relativeDeviation[index]),\(comparison.overlapDeviation[index])")
            }
            return lines.joined(separator: "\n") + "\n"
        case .table:
            var lines = ["riccati compare — " + JSONValue.keyValueLine(configuration)]
            lines.append("relative deviation = |R_SGD − R_ODE|/R_ODE; overlap deviation = ‖G_SGD − G_ODE‖_F/‖Λ‖_F")
            lines.append("           t         R_SGD         R_ODE   rel. dev.  overlap dev.")
            for index in comparison.times.indices {
                lines.append(String(format: "%12.5g  %12.5e  %12.5e  %10.3e  %12.3e", comparison.times[index], comparison.riskSGD[index],
                                    comparison.riskODE[index], comparison.relativeDeviation[index], comparison.overlapDeviation[index]))
            }
            lines.append(String(format: "max relative deviation %.4f, max overlap deviation %.4f", comparison.maxRelativeDeviation,
                                comparison.maxOverlapDeviation))
            if let sweep {
                lines.append("learning-rate sweep (\(seeds) seed\(seeds == 1 ? "" : "s") each):")
                for point in sweep.points {
                    lines.append(String(format: "  η = %-10.4g mean max relative deviation %.4f", point.learningRate, point.meanMaxRelativeDeviation))
                }
                if let slope = sweep.slope { lines.append(String(format: "  slope of log deviation against log η: %.3f", slope)) }
            }
            return lines.joined(separator: "\n") + "\n"
        }
    }

    /// The `.npy` arrays (names and shapes in ``ArrayFiles``).
    public func arrays() throws(ReportError) -> [NamedArray] {
        guard let comparison else { return try ensemble.map { (ensemble) throws(ReportError) in try ensembleArrays(ensemble) } ?? [] }
        let r = comparison.ode.spectrum.count
        var arrays: [NamedArray] = [
            try .vector("times", comparison.times),
            try .vector("risk_sgd", comparison.riskSGD),
            try .vector("risk_ode", comparison.riskODE),
            try .vector("relative_deviation", comparison.relativeDeviation),
            try .vector("overlap_deviation", comparison.overlapDeviation),
            try .signalGrams("G_sgd", comparison.sgd.states, teacherWidth: r),
            try .signalGrams("G_ode", comparison.ode.states, teacherWidth: r),
        ]
        if let sweep {
            arrays.append(try .vector("sweep_lr", sweep.points.map(\.learningRate)))
            // An interrupted sweep's last learning rate may lack seeds: NaN in their columns.
            arrays.append(try NamedArray("sweep_deviation", shape: [sweep.points.count, seeds], sweep.points.flatMap {
                $0.maxRelativeDeviations + Array(repeating: .nan, count: Swift.max(0, seeds - $0.maxRelativeDeviations.count))
            }))
        }
        return arrays
    }

    /// The figure: ``Plots/compare(_:sweep:floor:title:)``.
    public func plot() throws(ReportError) -> String {
        let configuration = run.configuration
        let floor = configuration.spectrum.widthFloor(studentWidth: configuration.studentWidth)
        guard let comparison else {
            guard let ensemble else { throw .invalidFigureData("the report holds no comparison") }
            return try Plots.compareEnsemble(ensemble, floor: floor,
                                             title: "SGD over \(ensemble.ensemble.seeds.count) seeds (d = \(configuration.dimension), B = \(configuration.batchSize), "
                                                 + "η = \(Plots.format(configuration.learningRate)), η·d/B = \(Plots.format(configuration.stepNoiseRatio)), "
                                                 + "\(run.precision.rawValue)) against the gradient flow and the SGD-aware mean map")
        }
        return try Plots.compare(comparison, sweep: sweep,
                                 floor: floor,
                                 title: "SGD (d = \(configuration.dimension), B = \(configuration.batchSize), "
                                     + "η = \(Plots.format(configuration.learningRate)), \(run.precision.rawValue)) against the overlap ODE")
    }
}
