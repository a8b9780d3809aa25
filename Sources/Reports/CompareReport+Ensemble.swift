import Foundation
import SGD

/// `riccati compare --seeds N` without `--lr-sweep`: the seed ensemble's mean risk against the
/// gradient flow and the SGD-aware mean map (``SeedEnsembleComparison``).
///
/// The single run's series (`riskSGD`, `relativeDeviation`, `overlapDeviation`, `G_sgd`, `G_ode`)
/// are left out: the ensemble's mean replaces them. `riskODE` keeps its meaning (the gradient
/// flow from the common `(M0, P0)`).
extension CompareReport {
    /// The per-time columns, in the order of every format: JSON/CSV key, `.npy` name, values.
    static func ensembleColumns(_ ensemble: SeedEnsembleComparison) -> [(key: String, array: String, values: [Double])] {
        let result = ensemble.ensemble
        let flow = ensemble.gradientFlowDeviation, aware = ensemble.sgdAwareDeviation
        return [("riskSGDMean", "risk_sgd_mean", result.riskMean),
                ("riskSGDStandardError", "risk_sgd_standard_error", result.riskStandardError),
                ("riskODE", "risk_ode", flow.risk), ("riskSGDAware", "risk_sgd_aware", aware.risk),
                ("relativeDeviationODE", "relative_deviation_ode", flow.relative),
                ("relativeDeviationSGDAware", "relative_deviation_sgd_aware", aware.relative),
                ("standardErrorsODE", "standard_errors_ode", flow.standardErrors),
                ("standardErrorsSGDAware", "standard_errors_sgd_aware", aware.standardErrors)]
    }

    static func summary(_ deviation: PredictionDeviation) -> JSONValue {
        .object([("meanRelativeDeviation", .number(deviation.meanRelative)), ("maxRelativeDeviation", .number(deviation.maxRelative)),
                 ("meanStandardErrors", .number(deviation.meanStandardErrors)), ("maxStandardErrors", .number(deviation.maxStandardErrors))])
    }

    func ensembleText(_ ensemble: SeedEnsembleComparison, _ format: ReportFormat) -> String {
        let result = ensemble.ensemble
        let columns = Self.ensembleColumns(ensemble)
        switch format {
        case .json:
            var members: [(String, JSONValue)] = [("times", .numbers(result.times))]
            members += columns.map { ($0.key, JSONValue.numbers($0.values)) }
            members += [
                ("deviationSummary", .object([("fromTime", .number(PredictionDeviation.summaryStartTime)),
                                              ("ODE", Self.summary(ensemble.gradientFlowDeviation)),
                                              ("SGDAware", Self.summary(ensemble.sgdAwareDeviation))])),
                ("sgdAwareStatus", .string(ensemble.sgdAware.status.rawValue)),
                ("sgdAwareMessage", ensemble.sgdAwareNote.map(JSONValue.string) ?? .null),
                ("seeds", .array(result.seeds.map { .string(String($0)) })),
                ("stats", SGDReport.statistics(result.totalStatistics)),
                ("config", .object(configuration)),
            ]
            return JSONValue.object(members).serialized(indent: 2) + "\n"
        case .csv:
            var lines = ["# riccati compare " + JSONValue.keyValueLine(configuration)]
            if let note = ensemble.sgdAwareNote { lines.append("# " + note) }
            lines.append((["t"] + columns.map(\.key)).joined(separator: ","))
            for index in result.times.indices {
                lines.append(([result.times[index]] + columns.map { $0.values[index] }).map { "\($0)" }.joined(separator: ","))
            }
            return lines.joined(separator: "\n") + "\n"
        case .table:
            var lines = ["riccati compare — " + JSONValue.keyValueLine(configuration)]
            lines.append("\(result.seeds.count) seed\(result.seeds.count == 1 ? "" : "s"): mean R_SGD ± SE (standard error of the mean); "
                + "ODE = gradient flow, aware = SGD-aware mean map; rel = |mean − pred|/pred, SEs = |mean − pred|/SE")
            lines.append("           t    mean R_SGD            SE         R_ODE       R_aware     rel ODE   rel aware     SEs ODE   SEs aware")
            for index in result.times.indices {
                lines.append(String(format: "%12.5g  %12.5e  %12.3e  %12.5e  %12.5e  %10.3e  %10.3e  %10.3g  %10.3g", result.times[index],
                                    columns[0].values[index], columns[1].values[index], columns[2].values[index],
                                    columns[3].values[index], columns[4].values[index], columns[5].values[index],
                                    columns[6].values[index], columns[7].values[index]))
            }
            for (name, deviation) in [("gradient flow", ensemble.gradientFlowDeviation), ("SGD-aware", ensemble.sgdAwareDeviation)] {
                lines.append(String(format: "%@ over t ≥ 1: mean relative deviation %.4f (max %.4f), mean %.3g standard errors (max %.3g)",
                                    name, deviation.meanRelative, deviation.maxRelative, deviation.meanStandardErrors,
                                    deviation.maxStandardErrors))
            }
            if let note = ensemble.sgdAwareNote { lines.append("note: " + note) }
            return lines.joined(separator: "\n") + "\n"
        }
    }

    /// The `.npy` arrays of the ensemble (names and shapes in ``ArrayFiles``).
    func ensembleArrays(_ ensemble: SeedEnsembleComparison) throws(ReportError) -> [NamedArray] {
        let result = ensemble.ensemble
        var arrays = [try NamedArray.vector("times", result.times)]
        for column in Self.ensembleColumns(ensemble) { arrays.append(try .vector(column.array, column.values)) }
        arrays.append(try NamedArray("risk_sgd_seeds", shape: [result.risks.count, result.times.count], result.risks.flatMap { $0 }))
        return arrays
    }
}
