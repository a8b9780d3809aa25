import ArgumentParser
import Figures
import Foundation
import LinearAlgebra
import Monotonicity
import Riccati

struct MonotonicityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "monotonicity",
        abstract: "Check the comparison principle G_A(t) ⪯ G_B(t) and the time monotonicity of G_A(t).",
        discussion: """
            Trajectory A starts from the model's initial state; B starts above it in Loewner order: \\
            --scale c gives Q0' = c·Q0 (M0 → √c M0, P0 → c P0; default c = 1.25), --perturb ε gives \\
            G0' = G0 + ε M0ᵀRM0 with a random Wishart R drawn from stream 1 of --seed. Both are \\
            integrated with the exact propagator and with dopri5; the relation is reported at t = 0 \\
            and every save time. The Loewner tolerance is relative to max(‖G_A‖_F, ‖G_B‖_F): 1e-10 for \\
            the exact propagator and max(1e-10, 10·rtol) for dopri5 unless --tolerance is given.

            Exit codes: 0 when the order is preserved at every time by both methods, 3 when it is \\
            not, 2 for bad input, 1 when an integration fails.
            """)

    @OptionGroup var model: ModelOptions
    @OptionGroup var time: TimeOptions

    @Option(help: "Scale c ≥ 1 of the upper initial condition (default 1.25 unless --perturb).")
    var scale: Double?

    @Option(help: "Size ε > 0 of a random PSD increment instead of --scale.")
    var perturb: Double?

    @Option(help: "Relative tolerance of dopri5.")
    var rtol: Double = 1e-6

    @Option(help: "Absolute tolerance of dopri5.")
    var atol: Double = 1e-9

    @Option(help: "Relative Loewner tolerance for both methods (default: per method, see above).")
    var tolerance: Double?

    @Option(help: "Output format.")
    var format: OutputFormat = .table

    @Option(help: "Write the report to this file (atomically) instead of standard output.")
    var output: String?

    @Option(help: "Also write the Figure 3 data (r = 2 only) into this existing directory: ellipses.csv, entries.csv and figure3.svg.")
    var figure: String?

    @Option(name: .customLong("ellipse-times"),
            help: "Times of the level-set ellipses in --figure (and --plot with r = 2); default 0,0.25,0.5, those within [0, --t-end].")
    var ellipseTimes: String?

    @OptionGroup var artifacts: ArtifactOptions

    /// The default ellipse times, `0, 0.25, 0.5`, that lie in `[0, T]`.
    static let defaultEllipseTimes = [0, 0.25, 0.5]

    func run() throws {
        let destination = try ReportDestination(path: output)
        let (arrayDirectory, plotDestination) = try artifacts.validate()
        try InputChecks.distinct(output: output, plot: artifacts.plot)
        if scale != nil, perturb != nil { throw CommandFailure.badInput("--scale and --perturb conflict: give one of them") }
        if let scale, !(scale.isFinite && scale >= 1) { throw CommandFailure.badInput("--scale must be finite and ≥ 1, got \(scale)") }
        if let perturb, !(perturb.isFinite && perturb > 0) { throw CommandFailure.badInput("--perturb must be finite and > 0, got \(perturb)") }
        try InputChecks.relativeTolerance(rtol, flag: "--rtol")
        guard atol.isFinite, atol > 0 else { throw CommandFailure.badInput("--atol must be finite and > 0, got \(atol)") }
        if let tolerance {
            // A relative Loewner tolerance of 1 or more accepts any pair of PSD matrices.
            try InputChecks.relativeTolerance(tolerance, flag: "--tolerance", allowZero: true)
        }
        let figureFolder = try figure.map { (path) throws(CommandFailure) -> String in
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw .badInput("--figure \(path): directory does not exist (create it first)")
            }
            guard FileManager.default.isWritableFile(atPath: path) else { throw .badInput("--figure \(path): directory is not writable") }
            return path
        }
        let explicitFigureTimes = try ellipseTimes.map { (list) throws(CommandFailure) -> [Double] in
            try parseList(list, flag: "--ellipse-times") { (item) throws(CommandFailure) in try parseReal(item, flag: "--ellipse-times") }
        }
        var saveTimes = try time.resolveSaveTimes()
        if saveTimes.first != 0 { saveTimes.insert(0, at: 0) }
        for t in explicitFigureTimes ?? [] where !(t.isFinite && t >= 0 && t <= time.finalTime) {
            throw CommandFailure.badInput("--ellipse-times: \(t) must lie in [0, --t-end]")
        }
        let resolved = try model.resolve(seedUsedElsewhere: perturb != nil) { (spectrum, rs) throws(CommandFailure) in
            try InputChecks.stepBudget(finalTime: time.finalTime, largestLambda: spectrum.values.max() ?? 0, step: nil, method: "exact")
            // Two trajectories for each of two methods, plus the arrays of --npy-dir.
            let r = Double(spectrum.count)
            try InputChecks.storage(saves: saveTimes.count, doublesPerState: Double(rs) * (r + Double(rs) + 1) + r + 2 * r * r, copies: 4)
        }
        if figureFolder != nil, resolved.spectrum.count != 2 {
            throw CommandFailure.badInput("--figure draws the 2×2 level sets of Figure 3 and needs r = 2, got r = \(resolved.spectrum.count)")
        }
        if figureFolder != nil {
            // The level sets {v : vᵀGv = 1} need G positive definite; the flow keeps the rank of G0.
            let g0 = resolved.initialState.signalGram
            let determinant = g0[0, 0] * g0[1, 1] - g0[0, 1] * g0[1, 0]
            guard g0[0, 0] > 0, g0[1, 1] > 0, determinant > 1e-10 * g0[0, 0] * g0[1, 1] else {
                throw CommandFailure.badInput("--figure draws the ellipses vᵀG v = 1 and needs G0 = M0ᵀM0 positive definite (r_s ≥ 2, M0 of rank 2)")
            }
        }
        let figureTimes = explicitFigureTimes ?? Self.defaultEllipseTimes.filter { $0 <= time.finalTime }
        let perturbation: OrderedPerturbation = perturb.map { .randomIncrement(epsilon: $0, seed: model.seed ?? 0) } ?? .scaled(scale ?? 1.25)
        do {
            let upper = try perturbation.apply(to: resolved.initialState)
            try InputChecks.stateSize(upper, blame: perturb.map { "--perturb \($0)" } ?? "--scale \(scale ?? 1.25)")
        } catch let failure as CommandFailure {
            throw failure
        } catch {
            throw CommandFailure.badInput("\(perturb == nil ? "--scale" : "--perturb"): \(error)")
        }
        configureBLASThreads(studentWidth: resolved.initialState.studentWidth)
        let methods: [IntegrationMethod] = [
            .exact(ExactPropagatorOptions()),
            .dormandPrince(DormandPrinceOptions(relativeTolerance: rtol, absoluteTolerance: atol)),
        ]
        let runs: [ComparisonPrincipleRun]
        let timeAnalysis: TimeMonotonicity
        let sandwich: SandwichCheck
        do {
            runs = try ComparisonPrinciple.run(spectrum: resolved.spectrum, initialState: resolved.initialState,
                                               perturbation: perturbation, finalTime: time.finalTime, saveTimes: saveTimes,
                                               methods: methods, relativeTolerance: tolerance)
            timeAnalysis = try TimeMonotonicity.analyze(runs[0].lower, relativeTolerance: tolerance ?? LoewnerOrder.defaultRelativeTolerance)
            sandwich = try SandwichCheck.check(runs[0].lower, relativeTolerance: tolerance ?? LoewnerOrder.defaultRelativeTolerance)
        } catch {
            if error.description.contains("integration failed") { throw CommandFailure.runtime(error.description) }
            throw CommandFailure.badInput(error.description)
        }
        var config = resolved.summary
        config += [("tEnd", .number(time.finalTime)),
                   ("perturbation", .string(perturb.map { "randomIncrement(epsilon: \($0))" } ?? "scaled(\(scale ?? 1.25))")),
                   ("rtol", .number(rtol)), ("atol", .number(atol))]
        config = Provenance.stamp(config)
        let report: String
        switch format {
        case .json: report = Self.json(runs, timeAnalysis, sandwich, config: config)
        case .csv: report = Self.csv(runs, config: config)
        case .table: report = Self.table(runs, timeAnalysis, sandwich, config: config)
        }
        // Everything is computed before anything is written.
        let figure3 = try figureFolder.map { _ throws(CommandFailure) in
            try Figure3Writer.build(lower: runs[0].lower, upper: runs[0].upper, ellipseTimes: figureTimes)
        }
        let arrays = try arrayDirectory.map { _ throws(CommandFailure) in try Self.arrays(runs) }
        let plot = try plotDestination.map { _ throws(CommandFailure) in
            try Self.plot(runs, figure3: figure3, ellipseTimes: figureTimes, perturbation: perturbation)
        }
        if let figureFolder, let figure3 { try Figure3Writer.write(figure3, into: figureFolder) }
        try destination.write(report)
        if let arrayDirectory, let arrays { try arrayDirectory.write(arrays, config: config) }
        if let plotDestination, let plot { try plotDestination.write(plot) }
        let violated = runs.filter { !$0.comparison.orderPreserved }
        if !violated.isEmpty {
            let details = violated.map { run in "\(run.method.name) at t = \(run.comparison.firstViolation!.time)" }.joined(separator: ", ")
            throw CommandFailure.orderViolated("the Loewner order G_A ⪯ G_B was violated (\(details))")
        }
    }

    // MARK: Arrays and figure

    /// The `--npy-dir` arrays (names and shapes in ``ArrayDirectory``): per method `margin_<m>`
    /// and `relation_<m>` (codes of ``LoewnerRelation/arrayCode``), and `G` of both trajectories
    /// from the exact propagator (`runs[0]`).
    static func arrays(_ runs: [ComparisonPrincipleRun]) throws(CommandFailure) -> [NamedArray] {
        let primary = runs[0]
        let r = primary.lower.spectrum.count
        guard primary.lower.times == primary.comparison.times, primary.upper.times == primary.comparison.times else {
            throw .runtime("--npy-dir: the saved states do not match the comparison times")
        }
        var arrays = [try NamedArray.vector("times", primary.comparison.times)]
        for run in runs {
            arrays.append(try .vector("margin_\(run.method.name)", run.comparison.comparisons.map(\.smallestEigenvalue)))
        }
        for run in runs {
            arrays.append(try .vector("relation_\(run.method.name)", run.comparison.relations.map(\.arrayCode)))
        }
        arrays.append(try .stack("G_a", primary.lower.states.map(\.signalGram), rows: r, columns: r))
        arrays.append(try .stack("G_b", primary.upper.states.map(\.signalGram), rows: r, columns: r))
        return arrays
    }

    /// `--plot`: Figure 3 for `r = 2` (the SVG of `--figure`); otherwise, or when a `G` has no
    /// level-set ellipse (singular), the margin and diagonal panels of ``Plots/monotonicity(_:title:)``.
    static func plot(_ runs: [ComparisonPrincipleRun], figure3: Figure3?, ellipseTimes: [Double],
                     perturbation: OrderedPerturbation) throws(CommandFailure) -> String {
        if let figure3 { return figure3.svg }
        let primary = runs[0]
        if primary.lower.spectrum.count == 2,
           let output = try? Figure3Writer.build(lower: primary.lower, upper: primary.upper, ellipseTimes: ellipseTimes, flag: "--plot") {
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

    // MARK: Reports

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
            ("firstViolation", violationJSON(comparison.firstViolation)),
            ("stats", .object([("lower", Integrate.statistics(run.lower)), ("upper", Integrate.statistics(run.upper))])),
        ])
    }

    static func json(_ runs: [ComparisonPrincipleRun], _ analysis: TimeMonotonicity, _ sandwich: SandwichCheck,
                     config: [(String, JSONValue)]) -> String {
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
            ("sandwich", .object([("holds", .bool(sandwich.holds)), ("firstViolation", violationJSON(sandwich.firstViolation))])),
            ("methods", .object(runs.map { ($0.method.name, methodJSON($0)) })),
            ("config", .object(config)),
        ])
        return document.serialized(indent: 2) + "\n"
    }

    static func csv(_ runs: [ComparisonPrincipleRun], config: [(String, JSONValue)]) -> String {
        var lines = ["# riccati monotonicity " + JSONValue.keyValueLine(config)]
        lines.append((["t"] + runs.flatMap { ["relation_\($0.method.name)", "margin_\($0.method.name)"] }).joined(separator: ","))
        for (index, t) in runs[0].comparison.times.enumerated() {
            let cells = runs.flatMap { run in
                [run.comparison.relations[index].rawValue, "\(run.comparison.comparisons[index].smallestEigenvalue)"]
            }
            lines.append((["\(t)"] + cells).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func table(_ runs: [ComparisonPrincipleRun], _ analysis: TimeMonotonicity, _ sandwich: SandwichCheck,
                      config: [(String, JSONValue)]) -> String {
        func padded(_ text: String, _ width: Int) -> String { String(repeating: " ", count: Swift.max(0, width - text.count)) + text }
        var lines = ["riccati monotonicity — " + JSONValue.keyValueLine(config)]
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
    var arrayCode: Double {
        switch self {
        case .equal: return 0
        case .lessOrEqual: return 1
        case .greaterOrEqual: return 2
        case .incomparable: return 3
        }
    }
}
