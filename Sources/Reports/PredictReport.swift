import Foundation
import Riccati
import SVGPlot
import ScalingLaws

/// The report of `riccati scaling predict`: the predicted escape times `T_j`, the additive-model
/// risk `R_add(t)` at log-spaced times, the asymptotic exponent `(1−2α)/α` and the width floor.
public struct PredictReport: Sendable {
    public let prediction: ScalingPrediction
    public let alpha: Double
    public let teacherWidth: Int
    public let studentWidth: Int
    public let dimension: Double
    public let sigma0: Double
    /// The times of the `R_add` curve.
    public let times: [Double]
    /// `R_add(t)` at ``times``.
    public let additive: [Double]
    /// The `config` object, provenance included.
    public let configuration: [(String, JSONValue)]

    /// The prediction for the power law `λ_j = j^{-α}` (normalised), `j ≤ r`, at `times`.
    public init(alpha: Double, teacherWidth r: Int, studentWidth rs: Int, dimension d: Double, sigma0: Double,
                times: [Double]) throws(RiccatiError) {
        let prediction = try ScalingPrediction(spectrum: try .powerLaw(exponent: alpha, count: r), studentWidth: rs,
                                               dimension: d, sigma0: sigma0)
        self.prediction = prediction
        self.alpha = alpha
        teacherWidth = r
        studentWidth = rs
        dimension = d
        self.sigma0 = sigma0
        self.times = times
        additive = times.map { prediction.additiveRisk(at: $0) }
        configuration = Provenance.stamp([("alpha", .number(alpha)), ("r", .integer(r)), ("rs", .integer(rs)),
                                          ("d", .number(d)), ("sigma0", .number(sigma0))])
    }

    var exponent: Double? { ScalingPrediction.asymptoticExponent(alpha: alpha) }
    var escape: [Double?] { prediction.escapeTimes.map { $0.isFinite ? $0 : nil } }

    /// The report in `format`.
    public func text(_ format: ReportFormat) -> String {
        switch format {
        case .json:
            return JSONValue.object([
                ("escapeTimes", .optionalNumbers(escape)), ("times", .numbers(times)), ("riskAdditive", .numbers(additive)),
                ("asymptoticExponent", exponent.map(JSONValue.number) ?? .null), ("widthFloor", .number(prediction.widthFloor)),
                ("config", .object(configuration)),
            ]).serialized(indent: 2) + "\n"
        case .csv:
            var lines = ["# riccati scaling predict " + JSONValue.keyValueLine(configuration), "t,riskAdditive"]
            lines += zip(times, additive).map { "\($0),\($1)" }
            return lines.joined(separator: "\n") + "\n"
        case .table:
            var lines = ["riccati scaling predict — " + JSONValue.keyValueLine(configuration)]
            lines.append("T_j = ln(λ_j d/(r_s σ0²))/(8λ_j): " + escape.prefix(10).enumerated().map { "T_\($0 + 1)=" + ($1.map { String(format: "%.4g", $0) } ?? "∞") }.joined(separator: " ") + (escape.count > 10 ? " …" : ""))
            lines.append("           t       R_add(t)")
            lines += zip(times, additive).map { String(format: "%12.5g  %13.6e", $0, $1) }
            lines.append(String(format: "width floor R_min = %.6e; asymptotic exponent (1−2α)/α = %@", prediction.widthFloor,
                                exponent.map { String(format: "%.4f", $0) } ?? "undefined (α = 0)"))
            return lines.joined(separator: "\n") + "\n"
        }
    }

    /// The `.npy` arrays: `escape_times` `(r,)`, `times` and `risk_additive` `(T,)`,
    /// `asymptotic_exponent` and `width_floor` `()`.
    public func arrays() throws(ReportError) -> [NamedArray] {
        [
            try .vector("escape_times", prediction.escapeTimes.map { $0.isFinite ? $0 : .nan }),
            try .vector("times", times), try .vector("risk_additive", additive),
            try .scalar("asymptotic_exponent", exponent ?? .nan), try .scalar("width_floor", prediction.widthFloor),
        ]
    }

    /// `R_add(t)` (positive values) with the width floor.
    public func plot() throws(ReportError) -> String {
        var figure = Figure(title: "Additive model R_add(t), α = \(alpha), r = \(teacherWidth), r_s = \(studentWidth)",
                            x: .logarithmic("t"), y: Plots.axis("R_add(t)", Plots.scale(for: additive)))
        let positive = zip(times, additive).filter { $0.1 > 0 }
        figure.add(Series(label: "R_add", x: positive.map(\.0), y: positive.map(\.1), showsMarkers: true))
        if let line = Plots.floorLine(prediction.widthFloor) { figure.add(horizontal: line) }
        return try Plots.render(figure)
    }
}
