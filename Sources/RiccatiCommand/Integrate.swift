import ArgumentParser
import Foundation
import LinearAlgebra
import Riccati
import ScalingLaws

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, csv, json
}

enum MethodName: String, ExpressibleByArgument, CaseIterable {
    case dopri5, dop853, rk4, exact
}

extension PropagatorFactorization: ExpressibleByArgument {}

struct Integrate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Integrate the overlap ODE (population gradient flow) and report risk and alignments.",
        discussion: """
            --step is the fixed step of rk4 (required there), the maximum step of dopri5, and an \
            extra cap on the exact propagator's step (which is always capped so that 8·λ_max·h ≤ c, \
            --step-exponent-cap: default 600 for lq, whose steps are chosen by a round-off control, \
            12 for symmetricRoot and 20 for cholesky).

            Save times: --save-at t1,t2,... or --save-count N log-spaced times over the 4 decades \
            ending at --t-end (default 12).
            """)

    @OptionGroup var model: ModelOptions

    @OptionGroup var time: TimeOptions

    @Option(help: "Integrator.")
    var method: MethodName = .exact

    @Option(help: "Relative tolerance of dopri5 (default 1e-6).")
    var rtol: Double?

    @Option(help: "Absolute tolerance of dopri5 (default 1e-9).")
    var atol: Double?

    @Option(help: "Step size: rk4's fixed step, dopri5's maximum step, or an extra cap for exact.")
    var step: Double?

    @Option(help: "Factorisation in the exact propagator: lq (Householder LQ with adaptive steps, default), cholesky (fixed cap) or symmetricRoot (K_h^{-1/2} by dsyevr, as in MODEL.md). Same invariants.")
    var factorization: PropagatorFactorization?

    @Option(help: "Cap c on 8·λ_max·h for the exact propagator (default 600 for lq, at most 600; 12 for symmetricRoot and 20 for cholesky, at most 40: their round-off grows with c, see the README).")
    var stepExponentCap: Double?

    @Option(help: "Threads of rk4 and dopri5 (1 or 2). They always compute the right-hand side and their vector arithmetic in two fixed parts; with 2, from r_s·r ≥ 16384, the parts run on two threads (OpenBLAS single-threaded meanwhile). Results are bit-identical for 1 and 2. The exact propagator splits its work by itself from r_s = 128.")
    var threads: Int = 2

    @Flag(inversion: .prefixedNo,
          help: "Locate the escape time of each direction (G_jj first reaching λ_j/2). With the exact propagator each located escape costs a few extra closed-form evaluations; --no-escape-times skips the search and reports them as not located (null/NaN).")
    var escapeTimes = true

    @Option(help: "Output format.")
    var format: OutputFormat = .table

    @Option(help: "Write the report to this file (atomically) instead of standard output.")
    var output: String?

    @OptionGroup var artifacts: ArtifactOptions

    func run() throws {
        let destination = try ReportDestination(path: output)
        let (arrayDirectory, plotDestination) = try artifacts.validate()
        try InputChecks.distinct(output: output, plot: artifacts.plot)
        guard threads == 1 || threads == 2 else { throw CommandFailure.badInput("--threads must be 1 or 2, got \(threads)") }
        let saveTimes = try time.resolveSaveTimes()
        let finalTime = time.finalTime
        let integrationMethod = try resolveMethod()
        if plotDestination != nil, !saveTimes.contains(where: { $0 > 0 }) {
            throw CommandFailure.badInput("--plot draws the risk on a logarithmic time axis and needs a save time > 0")
        }
        let resolved = try model.resolve { (spectrum, rs) throws(CommandFailure) in
            let r = spectrum.count
            if method != .dopri5, method != .dop853 {
                try InputChecks.stepBudget(finalTime: finalTime, largestLambda: spectrum.values.max() ?? 0, step: step,
                                           method: method.rawValue)
            }
            try InputChecks.storage(saves: saveTimes.count + 1,
                                    doublesPerState: Double(rs) * Double(r + rs + 1) + Double(r) + (arrayDirectory != nil ? Double(r) * Double(r) : 0))
        }
        configureBLASThreads(studentWidth: resolved.initialState.studentWidth)
        let problem: OverlapProblem
        do {
            problem = try OverlapProblem(spectrum: resolved.spectrum, initialState: resolved.initialState,
                                         finalTime: finalTime, saveTimes: saveTimes)
        } catch {
            throw CommandFailure.badInput(error.description)
        }
        let solution: Solution
        Interruption.install()
        do {
            solution = try solve(problem, method: integrationMethod, locateEscapes: escapeTimes, threads: threads, shouldStop: { Interruption.requested })
        } catch {
            throw CommandFailure.badInput(error.description)
        }
        var config = resolved.summary
        config += [("tEnd", .number(finalTime)), ("method", .string(integrationMethod.name))]
        config.append(("escapeTimes", .bool(escapeTimes)))
        if case .exact(let options) = integrationMethod {
            config.append(("factorization", .string(options.factorization.rawValue)))
            config.append(("stepExponentCap", .number(options.stepExponentCap)))
            if options.factorization == .lq { config.append(("conditionLimit", .number(options.conditionLimit))) }
        }
        config = Provenance.stamp(config)
        let report: String
        switch format {
        case .json: report = Self.json(solution, config: config)
        case .csv: report = Self.csv(solution, config: config)
        case .table: report = Self.table(solution, config: config)
        }
        let arrays = try arrayDirectory.map { _ throws(CommandFailure) in try Self.arrays(solution) }
        // A figure that cannot be drawn (nothing reached beyond t = 0) is reported after the
        // integration failure that caused it.
        var figure: Result<String, CommandFailure>?
        if plotDestination != nil {
            figure = Result { () throws(CommandFailure) -> String in
                try Plots.integrate(solution, prediction: Self.additiveModel(model, resolved),
                                    title: Self.plotTitle(solution, model: model, resolved: resolved))
            }
        }
        try destination.write(report)
        if let arrayDirectory, let arrays { try arrayDirectory.write(arrays, config: config) }
        if let plotDestination, case .success(let svg) = figure { try plotDestination.write(svg) }
        if solution.status == .interrupted {
            throw CommandFailure.interrupted("interrupted by \(Interruption.signalName): \(solution.message); the outputs hold the saves reached so far")
        }
        guard solution.status.isSuccess else {
            let lastRisk = solution.risk.last.map { "; last saved risk \($0) at t = \(solution.times.last!)" } ?? ""
            throw CommandFailure.runtime("integration failed (\(solution.status.rawValue)): \(solution.message)\(lastRisk)")
        }
        if case .failure(let failure) = figure { throw failure }
    }

    /// The `--npy-dir` arrays (names and shapes in ``ArrayDirectory``).
    static func arrays(_ solution: Solution) throws(CommandFailure) -> [NamedArray] {
        let r = solution.spectrum.count, rs = solution.initialState.studentWidth
        return [
            try .vector("times", solution.times),
            try .vector("risk", solution.risk),
            try .stack("G", solution.states.map(\.signalGram), rows: r, columns: r),
            try .rows("alignment", solution.alignment, columns: r),
            try .vector("learned", solution.learned.map(Double.init)),
            try .vector("escape_times", solution.escapeTimes.map { $0 ?? .nan }),
            try .rows("k_spectrum", solution.observables.map(\.studentGramSpectrum), columns: rs),
            try .stack("M", solution.states.map(\.overlap), rows: rs, columns: r),
            try .stack("P", solution.states.map(\.orthogonalGram), rows: rs, columns: rs),
            try .vector("lambda", solution.spectrum.values),
            try .scalar("risk_floor", solution.riskFloor),
        ]
    }

    /// The additive-model prediction of `--plot`; `nil` for an initial state from `--init-m`
    /// (no `d`, `σ0`) or parameters the model does not cover (`σ0 = 0`).
    static func additiveModel(_ model: ModelOptions, _ resolved: ModelOptions.Resolved) -> ScalingPrediction? {
        guard model.initM == nil, let d = try? parseReal(model.dimension ?? "1024", flag: "--d") else { return nil }
        return try? ScalingPrediction(spectrum: resolved.spectrum, studentWidth: resolved.initialState.studentWidth,
                                      dimension: d, sigma0: model.sigma0 ?? 1)
    }

    static func plotTitle(_ solution: Solution, model: ModelOptions, resolved: ModelOptions.Resolved) -> String {
        let rs = resolved.initialState.studentWidth
        var title = "Population risk, \(solution.methodName): r = \(solution.spectrum.count), r_s = \(rs)"
        if model.initM != nil {
            title += " (no additive model: initial state from file)"
        } else {
            if model.lambdas == nil { title += ", α = \(Plots.format(model.alpha ?? 1))" }
            title += ", d = \(model.dimension ?? "1024"), σ0 = \(Plots.format(model.sigma0 ?? 1))"
            if additiveModel(model, resolved) == nil { title += " (no additive model for these parameters)" }
        }
        return title
    }

    func resolveMethod() throws(CommandFailure) -> IntegrationMethod {
        if method != .dopri5, method != .dop853, rtol != nil || atol != nil {
            throw .badInput("--rtol/--atol apply to --method dopri5 and dop853 only")
        }
        if let step, !(step.isFinite && step > 0) { throw .badInput("--step must be finite and > 0, got \(step)") }
        if method != .exact, factorization != nil { throw .badInput("--factorization applies to --method exact only") }
        if method != .exact, stepExponentCap != nil { throw .badInput("--step-exponent-cap applies to --method exact only") }
        let largestCap = ExactPropagatorOptions.largestStepExponentCap(for: factorization ?? .lq)
        if let cap = stepExponentCap, !(cap.isFinite && cap > 0 && cap <= largestCap) {
            throw .badInput("--step-exponent-cap must be a number in (0, \(Int(largestCap))] for \((factorization ?? .lq).rawValue), got \(cap)")
        }
        switch method {
        case .rk4:
            guard let step else { throw .badInput("--method rk4 needs --step H (the fixed step)") }
            return .rungeKutta4(step: step)
        case .dopri5, .dop853:
            var options = DormandPrinceOptions(relativeTolerance: rtol ?? 1e-6, absoluteTolerance: atol ?? 1e-9)
            options.maxStep = step
            // A relative tolerance of 1 or more asks for no accuracy at all; an absolute one has the
            // state's units, so any finite positive value is accepted.
            try InputChecks.relativeTolerance(options.relativeTolerance, flag: "--rtol")
            guard options.absoluteTolerance.isFinite, options.absoluteTolerance > 0 else {
                throw .badInput("--atol must be finite and > 0, got \(options.absoluteTolerance)")
            }
            return method == .dop853 ? .dormandPrince853(options) : .dormandPrince(options)
        case .exact:
            return .exact(ExactPropagatorOptions(stepExponentCap: stepExponentCap, maxStep: step,
                                                 factorization: factorization ?? .lq))
        }
    }

    // MARK: Reports

    static func statistics(_ solution: Solution) -> JSONValue {
        let stats = solution.statistics
        return .object([
            ("method", .string(solution.methodName)),
            ("status", .string(solution.status.rawValue)),
            ("message", .string(solution.message)),
            ("rhsEvaluations", .integer(stats.rhsEvaluations)),
            ("acceptedSteps", .integer(stats.acceptedSteps)),
            ("rejectedSteps", .integer(stats.rejectedSteps)),
            ("eigendecompositions", .integer(stats.eigendecompositions)),
            ("solveSeconds", .number(stats.solveSeconds)),
        ])
    }

    static func json(_ solution: Solution, config: [(String, JSONValue)]) -> String {
        let document = JSONValue.object([
            ("times", .numbers(solution.times)),
            ("risk", .numbers(solution.risk)),
            ("alignment", .array(solution.alignment.map { JSONValue.optionalNumbers($0) })),
            ("learned", .array(solution.learned.map { .integer($0) })),
            ("escapeTimes", .optionalNumbers(solution.escapeTimes)),
            ("riskFloor", .number(solution.riskFloor)),
            ("studentGramSpectrum", .array(solution.observables.map { .numbers($0.studentGramSpectrum) })),
            ("stats", statistics(solution)),
            ("config", .object(config)),
        ])
        return document.serialized(indent: 2) + "\n"
    }

    static func csv(_ solution: Solution, config: [(String, JSONValue)]) -> String {
        let r = solution.spectrum.count
        var lines = ["# riccati integrate " + JSONValue.keyValueLine(config)]
        lines.append((["t", "risk", "learned"] + (1...r).map { "alignment_\($0)" }).joined(separator: ","))
        for (index, t) in solution.times.enumerated() {
            let alignments = solution.alignment[index].map { $0.map { "\($0)" } ?? "" }
            lines.append((["\(t)", "\(solution.risk[index])", "\(solution.learned[index])"] + alignments).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func table(_ solution: Solution, config: [(String, JSONValue)]) -> String {
        let r = solution.spectrum.count
        let shown = Swift.min(r, 4)
        var lines: [String] = []
        lines.append("riccati integrate — " + JSONValue.keyValueLine(config))
        lines.append("risk R = 2‖WᵀW − A‖_F²; alignment_j = G_jj/λ_j; learned = #{j : G_jj ≥ λ_j/2}")
        func padded(_ text: String, _ width: Int) -> String { String(repeating: " ", count: Swift.max(0, width - text.count)) + text }
        var header = padded("t", 12) + "  " + padded("risk", 13) + "  " + padded("learned", 7)
        for j in 1...shown { header += "  " + padded("align_\(j)", 9) }
        lines.append(header)
        for (index, t) in solution.times.enumerated() {
            var row = String(format: "%12.5g  %13.6e  %3d/%-3d", t, solution.risk[index], solution.learned[index], r)
            for j in 0..<shown {
                row += solution.alignment[index][j].map { String(format: "  %9.4f", $0) } ?? "          —"
            }
            lines.append(row)
        }
        lines.append(String(format: "width floor R_min = 2 Σ_{j>r_s} λ_j² = %.6e", solution.riskFloor))
        let located = config.contains { key, value in
            if key == "escapeTimes", case .bool(true) = value { return true } else { return false }
        }
        let escapes = solution.escapeTimes.prefix(8).enumerated().map { index, time in
            "T_\(index + 1)=" + (time.map { String(format: "%.4g", $0) } ?? "—")
        }
        let reached = solution.escapeTimes.compactMap { $0 }.count
        if located {
            lines.append("escape times (G_jj ≥ λ_j/2): \(escapes.joined(separator: " "))\(r > 8 ? " …" : "") [\(reached) of \(r) reached]")
        } else {
            lines.append("escape times (G_jj ≥ λ_j/2): not located (--no-escape-times)")
        }
        let stats = solution.statistics
        lines.append("\(solution.methodName): \(solution.status.rawValue) (\(solution.message)); "
            + "\(stats.acceptedSteps) steps, \(stats.rejectedSteps) rejected, \(stats.rhsEvaluations) RHS evaluations, "
            + "\(stats.eigendecompositions) eigendecompositions, "
            + String(format: "%.3f s", stats.solveSeconds))
        return lines.joined(separator: "\n") + "\n"
    }
}
