import Figures
import Foundation
import Monotonicity
import Riccati

/// The report of `riccati monotonicity`: the Loewner relation of `G_A(t)` to `G_B(t)` and its
/// margin per method, the time monotonicity of `G_A` and the sandwich `0 ⪯ G_A ⪯ Λ`.
public struct MonotonicityReport: Sendable {
    /// One run per method, the exact propagator first.
    public let runs: [ComparisonPrincipleRun]
    public let analysis: TimeMonotonicity
    public let sandwich: SandwichCheck
    public let perturbation: OrderedPerturbation
    /// The `config` object, provenance included.
    public let configuration: [(String, JSONValue)]

    /// `model` describes the spectrum and the initial state of trajectory A; `relativeTolerance`
    /// and `absoluteTolerance` are those of the dopri5 run. `interrupted`: the runs were stopped
    /// early and cover the times reached (the `status` of the configuration).
    public init(runs: [ComparisonPrincipleRun], analysis: TimeMonotonicity, sandwich: SandwichCheck, model: ModelDescription,
                finalTime: Double, perturbation: OrderedPerturbation, relativeTolerance: Double, absoluteTolerance: Double,
                interrupted: Bool = false) {
        self.runs = runs
        self.analysis = analysis
        self.sandwich = sandwich
        self.perturbation = perturbation
        let description: String
        switch perturbation {
        case .scaled(let c): description = "scaled(\(c))"
        case .randomIncrement(let epsilon, _): description = "randomIncrement(epsilon: \(epsilon))"
        }
        configuration = Provenance.stamp(model.configuration + [
            ("tEnd", .number(finalTime)), ("perturbation", .string(description)),
            ("rtol", .number(relativeTolerance)), ("atol", .number(absoluteTolerance)),
            ("status", .string(interrupted ? "interrupted" : "completed")),
        ])
    }

    /// The report in `format`.
    public func text(_ format: ReportFormat) -> String {
        switch format {
        case .json: return json()
        case .csv: return csv()
        case .table: return table()
        }
    }

    /// The `--npy-dir` arrays (names and shapes in ``ArrayDirectory``): per method `margin_<m>`
    /// and `relation_<m>` (codes of ``LoewnerRelation/arrayCode``), and `G` of both trajectories
    /// from the exact propagator (`runs[0]`).
    public func arrays() throws(ReportError) -> [NamedArray] {
        let primary = runs[0]
        let r = primary.lower.spectrum.count
        guard primary.lower.times == primary.comparison.times, primary.upper.times == primary.comparison.times else {
            throw .inconsistentArray(name: "G_a", reason: "the saved states do not match the comparison times")
        }
        var arrays = [try NamedArray.vector("times", primary.comparison.times)]
        for run in runs {
            arrays.append(try .vector("margin_\(run.method.name)", run.comparison.comparisons.map(\.smallestEigenvalue)))
        }
        for run in runs {
            arrays.append(try .vector("relation_\(run.method.name)", run.comparison.relations.map(\.arrayCode)))
        }
        arrays.append(try .signalGrams("G_a", primary.lower.states, teacherWidth: r))
        arrays.append(try .signalGrams("G_b", primary.upper.states, teacherWidth: r))
        return arrays
    }

    /// Figure 3 (see ``Figure3``) of `lower` and `upper`: a `G` that is not positive definite (no
    /// level-set ellipse) is ``ReportError/invalidFigureData(_:)``.
    public static func figure3(lower: Solution, upper: Solution, ellipseTimes: [Double]) throws(ReportError) -> Figure3 {
        do {
            return try Figure3(lower: lower, upper: upper, ellipseTimes: ellipseTimes)
        } catch {
            switch error {
            case .invalidData(let message): throw .invalidFigureData(message)
            case .rendering(let message): throw .rendering(message)
            }
        }
    }

    /// The figure: Figure 3 for `r = 2` (``figure3(lower:upper:ellipseTimes:)``); otherwise, or
    /// when a `G` has no level-set ellipse (singular), the margin and diagonal panels of
    /// ``Plots/monotonicity(_:title:)``.
    public func plot(ellipseTimes: [Double]) throws(ReportError) -> String {
        let primary = runs[0]
        if primary.lower.spectrum.count == 2,
           let output = try? Self.figure3(lower: primary.lower, upper: primary.upper, ellipseTimes: ellipseTimes) {
            return output.svg
        }
        let description: String
        switch perturbation {
        case .scaled(let c): description = "Q0' = \(Plots.format(c))·Q0"
        case .randomIncrement(let epsilon, _): description = "G0' = G0 + \(Plots.format(epsilon))·M0ᵀRM0"
        }
        var title = "Comparison principle G_A(t) ⪯ G_B(t), \(description), r = \(primary.lower.spectrum.count)"
        if primary.lower.spectrum.count == 2 { title += " (no level sets: G is singular)" }
        return try Plots.monotonicity(runs, title: title)
    }

    static func violationJSON(_ violation: OrderViolation?) -> JSONValue {
        guard let violation else { return .null }
        return .object([("time", .number(violation.time)), ("eigenvalue", .number(violation.eigenvalue)),
                        ("witness", .numbers(violation.witness))])
    }

    static func methodJSON(_ run: ComparisonPrincipleRun) -> JSONValue {
        let comparison = run.comparison
        return .object([
            ("relation", .array(comparison.relations.map { .string($0.rawValue) })),
            ("margin", .numbers(comparison.comparisons.map(\.smallestEigenvalue))),
            ("tolerance", .numbers(comparison.comparisons.map(\.tolerance))),
            ("minMargin", .number(comparison.minMargin)),
            ("minMarginTime", .number(comparison.minMarginTime)),
            ("orderPreserved", .bool(comparison.orderPreserved)),
            ("firstViolation", Self.violationJSON(comparison.firstViolation)),
            ("stats", .object([("lower", IntegrateReport.statistics(run.lower)), ("upper", IntegrateReport.statistics(run.upper))])),
        ])
    }

    func json() -> String {
        let primary = runs[0].comparison
        let document = JSONValue.object([
            ("times", .numbers(primary.times)),
            ("relation", .array(primary.relations.map { .string($0.rawValue) })),
            ("minMargin", .number(primary.minMargin)),
            ("minMarginTime", .number(primary.minMarginTime)),
            ("orderPreserved", .bool(runs.allSatisfy { $0.comparison.orderPreserved })),
            ("monotoneInTime", .string(analysis.verdict.rawValue)),
            ("firstTimeViolation", analysis.firstViolation.map { .number($0.end) } ?? .null),
            ("timeViolation", analysis.firstViolation.map { violation in
                .object([("start", .number(violation.start)), ("end", .number(violation.end)),
                         ("eigenvalue", .number(violation.eigenvalue)), ("witness", .numbers(violation.witness))])
            } ?? .null),
            ("entries", .array(analysis.entries.map { entry in
                .object([("entry", .string("G_\(entry.row + 1)\(entry.column + 1)")), ("trend", .string(entry.trend.rawValue)),
                         ("turningTimes", .numbers(entry.turningPoints.map(\.time))),
                         ("summary", .string(entry.summary()))])
            })),
            ("sandwich", .object([("holds", .bool(sandwich.holds)), ("firstViolation", Self.violationJSON(sandwich.firstViolation))])),
            ("methods", .object(runs.map { ($0.method.name, Self.methodJSON($0)) })),
            ("config", .object(configuration)),
        ])
        return document.serialized(indent: 2) + "\n"
    }

    func csv() -> String {
        var lines = ["# riccati monotonicity " + JSONValue.keyValueLine(configuration)]
        lines.append((["t"] + runs.flatMap { ["relation_\($0.method.name)", "margin_\($0.method.name)"] }).joined(separator: ","))
        for (index, t) in runs[0].comparison.times.enumerated() {
            let cells = runs.flatMap { run in
                [run.comparison.relations[index].rawValue, "\(run.comparison.comparisons[index].smallestEigenvalue)"]
            }
            lines.append((["\(t)"] + cells).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    func table() -> String {
        var lines = ["riccati monotonicity — " + JSONValue.keyValueLine(configuration)]
        lines.append("relation of G_A(t) to G_B(t) (le: G_A ⪯ G_B); margin = λ_min(G_B − G_A)")
        var header = padded("t", 12)
        for run in runs { header += "  " + padded("\(run.method.name)", 12) + "  " + padded("margin", 12) }
        lines.append(header)
        for (index, t) in runs[0].comparison.times.enumerated() {
            var row = padded(String(format: "%.5g", t), 12)
            for run in runs {
                row += "  " + padded(run.comparison.relations[index].rawValue, 12)
                row += "  " + padded(String(format: "%.4e", run.comparison.comparisons[index].smallestEigenvalue), 12)
            }
            lines.append(row)
        }
        for run in runs {
            let comparison = run.comparison
            var line = "\(run.method.name): min margin \(String(format: "%.4e", comparison.minMargin)) at t = \(String(format: "%.5g", comparison.minMarginTime)); "
            if let violation = comparison.firstViolation {
                line += "ORDER VIOLATED first at t = \(violation.time) (λ_min = \(String(format: "%.3e", violation.eigenvalue)))"
            } else {
                line += "order preserved at every time"
            }
            lines.append(line)
        }
        var verdict = "time monotonicity of G_A: \(analysis.verdict.rawValue)"
        if let violation = analysis.firstViolation {
            verdict += String(format: "; first violation on [%.5g, %.5g] (eigenvalue %.3e, witness %@)", violation.start, violation.end,
                              violation.eigenvalue, violation.witness.map { String(format: "%.3f", $0) }.joined(separator: ", "))
        }
        lines.append(verdict)
        for entry in analysis.entries.prefix(6) { lines.append("  " + entry.summary()) }
        lines.append("sandwich 0 ⪯ G_A(t) ⪯ Λ: " + (sandwich.holds ? "holds" : "fails first at t = \(sandwich.firstViolation!.time)"))
        return lines.joined(separator: "\n") + "\n"
    }
}

extension LoewnerRelation {
    /// The code of the relation in `relation_<method>.npy` (`--npy-dir`), A against B:
    /// `0` eq (`G_A = G_B` within tolerance), `1` le (`G_A ⪯ G_B`), `2` ge (`G_A ⪰ G_B`),
    /// `3` incomparable (`G_B − G_A` indefinite beyond tolerance).
    public var arrayCode: Double {
        switch self {
        case .equal: return 0
        case .lessOrEqual: return 1
        case .greaterOrEqual: return 2
        case .incomparable: return 3
        }
    }
}
