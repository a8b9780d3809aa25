import Foundation
import SGD

/// `riccati compare --seeds N` without `--lr-sweep`: the seed ensemble's mean risk against the
/// gradient flow and the SGD-aware mean map (``SeedEnsembleComparison``).
///
/// The single run's series (`riskSGD`, `relativeDeviation`, `overlapDeviation`, `G_sgd`, `G_ode`)
/// are left out: the ensemble's mean replaces them. `riskODE` keeps its meaning (the gradient
/// flow of the run's activation from the common `(M0, P0)`). For an activation other than the
/// quadratic model there is no SGD-aware prediction: its columns are left out, its summary and
/// status are `null`, and the message says why.
extension CompareReport {
    /// One per-time column of the ensemble report: its JSON/CSV key, `.npy` name and values, and
    /// its table header and `printf` format (right-aligned to the header's width).
    struct EnsembleColumn {
        var key: String
        var array: String
        var values: [Double]
        var header: String
        var format: String
    }

    /// The per-time columns, in the order of every format. The SGD-aware columns are left out when
    /// the ensemble has no SGD-aware prediction (an activation other than the quadratic model).
    static func ensembleColumns(_ ensemble: SeedEnsembleComparison) -> [EnsembleColumn] {
        let result = ensemble.ensemble
        let flow = ensemble.gradientFlowDeviation, aware = ensemble.sgdAwareDeviation
        var columns = [EnsembleColumn(key: "riskSGDMean", array: "risk_sgd_mean", values: result.riskMean, header: "mean R_SGD", format: "%12.5e"),
                       EnsembleColumn(key: "riskSGDStandardError", array: "risk_sgd_standard_error", values: result.riskStandardError,
                                      header: "SE", format: "%12.3e"),
                       EnsembleColumn(key: "riskODE", array: "risk_ode", values: flow.risk, header: "R_ODE", format: "%12.5e")]
        if let aware {
            columns.append(EnsembleColumn(key: "riskSGDAware", array: "risk_sgd_aware", values: aware.risk, header: "R_aware", format: "%12.5e"))
        }
        columns.append(EnsembleColumn(key: "relativeDeviationODE", array: "relative_deviation_ode", values: flow.relative,
                                      header: "rel ODE", format: "%10.3e"))
        if let aware {
            columns.append(EnsembleColumn(key: "relativeDeviationSGDAware", array: "relative_deviation_sgd_aware", values: aware.relative,
                                          header: "rel aware", format: "%10.3e"))
        }
        columns.append(EnsembleColumn(key: "standardErrorsODE", array: "standard_errors_ode", values: flow.standardErrors,
                                      header: "SEs ODE", format: "%10.3g"))
        if let aware {
            columns.append(EnsembleColumn(key: "standardErrorsSGDAware", array: "standard_errors_sgd_aware", values: aware.standardErrors,
                                          header: "SEs aware", format: "%10.3g"))
        }
        return columns
    }

    static func summary(_ deviation: PredictionDeviation) -> JSONValue {
        .object([("meanRelativeDeviation", .number(deviation.meanRelative)), ("maxRelativeDeviation", .number(deviation.maxRelative)),
                 ("meanStandardErrors", .number(deviation.meanStandardErrors)), ("maxStandardErrors", .number(deviation.maxStandardErrors))])
    }

    /// Why there is no SGD-aware prediction (`nil` when there is one).
    func missingSGDAwareNote(_ ensemble: SeedEnsembleComparison) -> String? {
        guard ensemble.sgdAware == nil else { return nil }
        return "no SGD-aware prediction for the activation \(run.configuration.activation.label): the mean map is derived for he2 only"
    }

    func ensembleText(_ ensemble: SeedEnsembleComparison, _ format: ReportFormat) -> String {
        let result = ensemble.ensemble
        let columns = Self.ensembleColumns(ensemble)
        let note = ensemble.sgdAwareNote ?? missingSGDAwareNote(ensemble)
        switch format {
        case .json:
            var members: [(String, JSONValue)] = [("times", .numbers(result.times))]
            members += columns.map { ($0.key, JSONValue.numbers($0.values)) }
            members += [
                ("deviationSummary", .object([("fromTime", .number(PredictionDeviation.summaryStartTime)),
                                              ("ODE", Self.summary(ensemble.gradientFlowDeviation)),
                                              ("SGDAware", ensemble.sgdAwareDeviation.map(Self.summary) ?? .null)])),
                ("sgdAwareStatus", ensemble.sgdAware.map { .string($0.status.rawValue) } ?? .null),
                ("sgdAwareMessage", note.map(JSONValue.string) ?? .null),
                ("seeds", .array(result.seeds.map { .string(String($0)) })),
                ("stats", SGDReport.statistics(result.totalStatistics)),
                ("config", .object(configuration)),
            ]
            return JSONValue.object(members).serialized(indent: 2) + "\n"
        case .csv:
            var lines = ["# riccati compare " + JSONValue.keyValueLine(configuration)]
            if let note { lines.append("# " + note) }
            lines.append((["t"] + columns.map(\.key)).joined(separator: ","))
            for index in result.times.indices {
                lines.append(([result.times[index]] + columns.map { $0.values[index] }).map { "\($0)" }.joined(separator: ","))
            }
            return lines.joined(separator: "\n") + "\n"
        case .table:
            var lines = ["riccati compare — " + JSONValue.keyValueLine(configuration)]
            lines.append("\(result.seeds.count) seed\(result.seeds.count == 1 ? "" : "s"): mean R_SGD ± SE (standard error of the mean); "
                + (ensemble.sgdAware == nil ? "ODE = gradient flow" : "ODE = gradient flow, aware = SGD-aware mean map")
                + "; rel = |mean − pred|/pred, SEs = |mean − pred|/SE")
            func padded(_ header: String, _ format: String) -> String {
                let width = Int(format.dropFirst().prefix { $0.isNumber }) ?? header.count
                return String(repeating: " ", count: Swift.max(0, width - header.count)) + header
            }
            lines.append(([padded("t", "%12")] + columns.map { padded($0.header, $0.format) }).joined(separator: "  "))
            for index in result.times.indices {
                lines.append(([String(format: "%12.5g", result.times[index])]
                    + columns.map { String(format: $0.format, $0.values[index]) }).joined(separator: "  "))
            }
            var predictions = [("gradient flow", ensemble.gradientFlowDeviation)]
            if let aware = ensemble.sgdAwareDeviation { predictions.append(("SGD-aware", aware)) }
            for (name, deviation) in predictions {
                lines.append(String(format: "%@ over t ≥ 1: mean relative deviation %.4f (max %.4f), mean %.3g standard errors (max %.3g)",
                                    name, deviation.meanRelative, deviation.maxRelative, deviation.meanStandardErrors,
                                    deviation.maxStandardErrors))
            }
            if let note { lines.append("note: " + note) }
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
