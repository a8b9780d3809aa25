import ArgumentParser
import Foundation
import LinearAlgebra
import Riccati

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, csv, json
}

enum MethodName: String, ExpressibleByArgument, CaseIterable {
    case dopri5, rk4, exact
}

extension PropagatorFactorization: ExpressibleByArgument {}

struct Integrate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Integrate the overlap ODE (population gradient flow) and report risk and alignments.",
        discussion: """
            --step is the fixed step of rk4 (required there), the maximum step of dopri5, and an \
            extra cap on the exact propagator's step (which is always capped so that 8·λ_max·h ≤ 12).

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

    @Option(help: "Factorisation of K_h in the exact propagator: symmetricRoot (K_h^{-1/2} by dsyevr, default) or cholesky (faster; same invariants).")
    var factorization: PropagatorFactorization?

    @Option(help: "Output format.")
    var format: OutputFormat = .table

    @Option(help: "Write the report to this file (atomically) instead of standard output.")
    var output: String?

    func run() throws {
        let destination = try ReportDestination(path: output)
        let resolved = try model.resolve()
        let saveTimes = try time.resolveSaveTimes()
        let finalTime = time.finalTime
        let integrationMethod = try resolveMethod()
        configureBLASThreads(studentWidth: resolved.initialState.studentWidth)
        let problem: OverlapProblem
        do {
            problem = try OverlapProblem(spectrum: resolved.spectrum, initialState: resolved.initialState,
                                         finalTime: finalTime, saveTimes: saveTimes)
        } catch {
            throw CommandFailure.badInput(error.description)
        }
        let solution: Solution
        do {
            solution = try solve(problem, method: integrationMethod)
        } catch {
            throw CommandFailure.badInput(error.description)
        }
        var config = resolved.summary
        config += [("tEnd", .number(finalTime)), ("method", .string(integrationMethod.name))]
        if case .exact(let options) = integrationMethod { config.append(("factorization", .string(options.factorization.rawValue))) }
        let report: String
        switch format {
        case .json: report = Self.json(solution, config: config)
        case .csv: report = Self.csv(solution, config: config)
        case .table: report = Self.table(solution, config: config)
        }
        try destination.write(report)
        guard solution.status.isSuccess else {
            let lastRisk = solution.risk.last.map { "; last saved risk \($0) at t = \(solution.times.last!)" } ?? ""
            throw CommandFailure.runtime("integration failed (\(solution.status.rawValue)): \(solution.message)\(lastRisk)")
        }
    }

    func resolveMethod() throws(CommandFailure) -> IntegrationMethod {
        if method != .dopri5, rtol != nil || atol != nil {
            throw .badInput("--rtol/--atol apply to --method dopri5 only")
        }
        if let step, !(step.isFinite && step > 0) { throw .badInput("--step must be finite and > 0, got \(step)") }
        if method != .exact, factorization != nil { throw .badInput("--factorization applies to --method exact only") }
        switch method {
        case .rk4:
            guard let step else { throw .badInput("--method rk4 needs --step H (the fixed step)") }
            return .rungeKutta4(step: step)
        case .dopri5:
            var options = DormandPrinceOptions(relativeTolerance: rtol ?? 1e-6, absoluteTolerance: atol ?? 1e-9)
            options.maxStep = step
            for (flag, value) in [("--rtol", options.relativeTolerance), ("--atol", options.absoluteTolerance)]
            where !(value.isFinite && value > 0) {
                throw .badInput("\(flag) must be finite and > 0, got \(value)")
            }
            return .dormandPrince(options)
        case .exact:
            return .exact(ExactPropagatorOptions(maxStep: step, factorization: factorization ?? .symmetricRoot))
        }
    }

    // MARK: Reports

    static func statistics(_ solution: Solution) -> JSONValue {
        let stats = solution.statistics
        return .object([
            ("method", .string(solution.method.name)),
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
        var lines = ["# riccati integrate " + config.map { "\($0.0)=\($0.1.serialized())" }.joined(separator: " ")]
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
        lines.append("riccati integrate — " + config.map { "\($0.0)=\($0.1.serialized())" }.joined(separator: " "))
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
        let escapes = solution.escapeTimes.prefix(8).enumerated().map { index, time in
            "T_\(index + 1)=" + (time.map { String(format: "%.4g", $0) } ?? "—")
        }
        let reached = solution.escapeTimes.compactMap { $0 }.count
        lines.append("escape times (G_jj ≥ λ_j/2): \(escapes.joined(separator: " "))\(r > 8 ? " …" : "") [\(reached) of \(r) reached]")
        let stats = solution.statistics
        lines.append("\(solution.method.name): \(solution.status.rawValue) (\(solution.message)); "
            + "\(stats.acceptedSteps) steps, \(stats.rejectedSteps) rejected, \(stats.rhsEvaluations) RHS evaluations, "
            + "\(stats.eigendecompositions) eigendecompositions, "
            + String(format: "%.3f s", stats.solveSeconds))
        return lines.joined(separator: "\n") + "\n"
    }
}
