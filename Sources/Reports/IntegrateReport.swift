import Foundation
import Riccati
import ScalingLaws

/// The report of `riccati integrate`: the risk, alignments, learned directions, escape times
/// and student-Gram spectrum at the save times of a ``Solution``, with the run's configuration.
public struct IntegrateReport: Sendable {
    public let solution: Solution
    /// The `config` object, provenance included (``Provenance/stamp(_:)``).
    public let configuration: [(String, JSONValue)]
    /// The model, for the figure's additive-model prediction; `nil` when not known.
    public let model: ModelDescription?
    /// The activation of teacher and student.
    public let activation: Activation

    /// The report of `solution`, whose spectrum and initial state `model` describes;
    /// `locateEscapes` as passed to `solve`; `sgd` the SGD parameters of an SGD-aware dynamics
    /// (for ``QuadraticSGDMeanMap`` they default to those of its ``Solution/dynamics``).
    ///
    /// The `config` object names the dynamics (`dynamics`: `gradient-flow`, `sgd-mean-map`,
    /// `sgd-limit`, …) and its noise ratio `etaDOverB` (`η·d/B`; `null` for the deterministic
    /// dynamics), and for the SGD forms `lr`, `batch`, `noise` and `d`; `activation` (and
    /// `hermiteCoefficients` for a Hermite list) names `σ`, and gradient descent adds its `lr`.
    public init(solution: Solution, model: ModelDescription, locateEscapes: Bool, sgd: MinibatchSGDParameters? = nil,
                activation: Activation = .he2) {
        var config = model.configuration
        config += activation.configurationEntries
        config.append(("dynamics", .string(solution.dynamicsName)))
        var parameters = sgd
        if parameters == nil, case .sgdMeanMap(let own) = solution.dynamics { parameters = own }
        switch solution.dynamics {
        case .sgdLimit(let ratio, _) where parameters == nil:
            config.append(("etaDOverB", .number(ratio)))
        default:
            config.append(("etaDOverB", parameters.map { .number($0.stepNoiseRatio) } ?? .null))
        }
        switch solution.dynamics {
        case .populationGradientDescent(let eta), .activationGradientDescent(_, let eta): config.append(("lr", .number(eta)))
        default: break
        }
        if let parameters {
            config += [("lr", .number(parameters.learningRate)), ("batch", .integer(parameters.batchSize)),
                       ("noise", .number(parameters.labelNoise))]
            if !config.contains(where: { $0.0 == "d" }) { config.append(("d", .integer(parameters.dimension))) }
        }
        config += [("tEnd", .number(solution.finalTime)), ("method", .string(solution.methodName))]
        config.append(("escapeTimes", .bool(locateEscapes)))
        if case .exact(let options)? = solution.method {
            config.append(("factorization", .string(options.factorization.rawValue)))
            config.append(("stepExponentCap", .number(options.stepExponentCap)))
            if options.factorization == .lq { config.append(("conditionLimit", .number(options.conditionLimit))) }
        }
        self.solution = solution
        self.configuration = Provenance.stamp(config)
        self.model = model
        self.activation = activation
    }

    /// The risk split by Hermite degree at each save (`he0`, `he1`, `he2`, `higher`); `nil` for the
    /// quadratic model, whose risk is all of degree 2.
    var riskByDegree: [RiskByHermiteDegree]? {
        let split = solution.observables.compactMap(\.riskByDegree)
        return split.count == solution.observables.count && !split.isEmpty ? split : nil
    }

    /// The report in `format`.
    public func text(_ format: ReportFormat) -> String {
        switch format {
        case .json: return json()
        case .csv: return csv()
        case .table: return table()
        }
    }

    /// The `.npy` arrays (names and shapes in ``ArrayFiles``).
    public func arrays() throws(ReportError) -> [NamedArray] {
        let r = solution.spectrum.count, rs = solution.initialState.studentWidth
        var degreeArrays: [NamedArray] = []
        if let split = riskByDegree {
            degreeArrays.append(try .rows("risk_by_degree", split.map { [$0.he0, $0.he1, $0.he2, $0.higher] }, columns: 4))
        }
        return [
            try .vector("times", solution.times),
            try .vector("risk", solution.risk),
            try .signalGrams("G", solution.states, teacherWidth: r),
            try .rows("alignment", solution.alignment, columns: r),
            try .vector("learned", solution.learned.map(Double.init)),
            try .vector("escape_times", solution.escapeTimes.map { $0 ?? .nan }),
            try .rows("k_spectrum", solution.observables.map(\.studentGramSpectrum), columns: rs),
            try .stack("M", solution.states.map(\.overlap), rows: rs, columns: r),
            try .stack("P", solution.states.map(\.orthogonalGram), rows: rs, columns: rs),
            try .vector("lambda", solution.spectrum.values),
            try .scalar("risk_floor", solution.riskFloor),
        ] + degreeArrays
    }

    /// The additive-model prediction drawn in ``plot()``: `nil` for an initial state read from
    /// files (no `d`, `σ0`) or parameters the model does not cover.
    public var additiveModel: ScalingPrediction? {
        guard activation.isQuadratic, case .random(let random)? = model?.initialization else { return nil }
        return try? ScalingPrediction(spectrum: solution.spectrum, studentWidth: random.studentWidth,
                                      dimension: random.dimension, sigma0: random.sigma0)
    }

    /// The figure: ``Plots/integrate(_:prediction:title:)``.
    public func plot() throws(ReportError) -> String {
        try Plots.integrate(solution, prediction: additiveModel, title: plotTitle)
    }

    var plotTitle: String {
        let rs = solution.initialState.studentWidth
        var title = "Population risk, \(activation.isQuadratic ? "" : "σ = \(activation.name), ")\(solution.methodName): r = \(solution.spectrum.count), r_s = \(rs)"
        switch model?.initialization {
        case .random(let random)?:
            if case .powerLaw(let alpha, _)? = model?.spectrum { title += ", α = \(Plots.format(alpha))" }
            title += ", d = \(wholeNumberText(random.dimension)), σ0 = \(Plots.format(random.sigma0))"
            if additiveModel == nil { title += activation.isQuadratic ? " (no additive model for these parameters)" : "" }
        case .files?, nil:
            title += " (no additive model: initial state from file)"
        }
        return title
    }


    public static func statistics(_ solution: Solution) -> JSONValue {
        let stats = solution.statistics
        return .object([
            ("method", .string(solution.methodName)),
            ("status", .string(solution.status.rawValue)),
            ("message", .string(solution.message)),
            ("rhsEvaluations", .integer(stats.rhsEvaluations)),
            ("acceptedSteps", .integer(stats.acceptedSteps)),
            ("rejectedSteps", .integer(stats.rejectedSteps)),
            ("eigendecompositions", .integer(stats.eigendecompositions)),
            ("spectralRadiusEstimates", .integer(stats.spectralRadiusEstimates)),
            ("largestSpectralRadius", .number(stats.largestSpectralRadius)),
            ("stabilizedSteps", .integer(stats.stabilizedSteps)),
            ("stabilizedStages", .integer(stats.stabilizedStages)),
            ("largestStageCount", .integer(stats.largestStageCount)),
            ("phases", .array(stats.phases.map { .object([("startTime", .number($0.startTime)), ("method", .string($0.method))]) })),
            ("solveSeconds", .number(stats.solveSeconds)),
        ])
    }

    func json() -> String {
        let document = JSONValue.object([
            ("times", .numbers(solution.times)),
            ("risk", .numbers(solution.risk)),
            ("alignment", .array(solution.alignment.map { JSONValue.optionalNumbers($0) })),
            ("learned", .array(solution.learned.map { .integer($0) })),
            ("escapeTimes", .optionalNumbers(solution.escapeTimes)),
            ("riskFloor", .number(solution.riskFloor)),
            ("studentGramSpectrum", .array(solution.observables.map { .numbers($0.studentGramSpectrum) })),
        ] + (riskByDegree.map { split in
            [("riskByDegree", JSONValue.object([("he0", .numbers(split.map(\.he0))), ("he1", .numbers(split.map(\.he1))),
                                                 ("he2", .numbers(split.map(\.he2))), ("higher", .numbers(split.map(\.higher)))]))]
        } ?? []) + [
            ("stats", Self.statistics(solution)),
            ("config", .object(configuration)),
        ])
        return document.serialized(indent: 2) + "\n"
    }

    func csv() -> String {
        let r = solution.spectrum.count
        var lines = ["# riccati integrate " + JSONValue.keyValueLine(configuration)]
        let split = riskByDegree != nil
        lines.append((["t", "risk", "learned"] + (1...r).map { "alignment_\($0)" }
                      + (split ? ["risk_he0", "risk_he1", "risk_he2", "risk_higher"] : [])).joined(separator: ","))
        // Per save its own observables (`solution.risk` etc. map every save: indexing them per row was quadratic).
        for (t, values) in zip(solution.times, solution.observables) {
            let alignments = values.alignment.map { $0.map { "\($0)" } ?? "" }
            let parts = values.riskByDegree.map { ["\($0.he0)", "\($0.he1)", "\($0.he2)", "\($0.higher)"] } ?? []
            lines.append((["\(t)", "\(values.risk)", "\(values.learned)"] + alignments + (split ? parts : [])).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    func table() -> String {
        let r = solution.spectrum.count
        let shown = Swift.min(r, 4)
        var lines: [String] = []
        lines.append("riccati integrate — " + JSONValue.keyValueLine(configuration))
        let split = riskByDegree != nil
        lines.append((activation.isQuadratic ? "risk R = 2‖WᵀW − A‖_F²" : "risk R = E[(f_W − f*)²], σ = \(activation.label)")
                     + "; alignment_j = G_jj/λ_j; learned = #{j : G_jj ≥ λ_j/2}" + (split ? "; R_k: risk of Hermite degree k" : ""))
        var header = padded("t", 12) + "  " + padded("risk", 13) + "  " + padded("learned", 7)
        for j in 1...shown { header += "  " + padded("align_\(j)", 9) }
        if split { for name in ["R_0", "R_1", "R_2", "R_≥3"] { header += "  " + padded(name, 10) } }
        lines.append(header)
        for (t, values) in zip(solution.times, solution.observables) {
            var row = String(format: "%12.5g  %13.6e  %3d/%-3d", t, values.risk, values.learned, r)
            for j in 0..<shown {
                row += values.alignment[j].map { String(format: "  %9.4f", $0) } ?? "          —"
            }
            if split, let parts = values.riskByDegree {
                for value in [parts.he0, parts.he1, parts.he2, parts.higher] { row += String(format: "  %10.3e", value) }
            }
            lines.append(row)
        }
        if activation.isQuadratic {
            lines.append(String(format: "width floor R_min = 2 Σ_{j>r_s} λ_j² = %.6e", solution.riskFloor))
        } else {
            lines.append("width floor: no closed form for σ = \(activation.name) (riskFloor reported as 0)")
        }
        let located = configuration.contains { key, value in
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
        if stats.stabilizedSteps > 0 {
            lines.append(String(format: "stabilised steps: %d (%.1f stages per step, at most %d), %d spectral-radius estimates (largest %.3g)",
                                stats.stabilizedSteps, Double(stats.stabilizedStages) / Double(stats.stabilizedSteps),
                                stats.largestStageCount, stats.spectralRadiusEstimates, stats.largestSpectralRadius))
        }
        if !stats.phases.isEmpty {
            lines.append("auto: " + stats.phases.map { "\($0.method) from t = " + String(format: "%.6g", $0.startTime) }.joined(separator: ", "))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
