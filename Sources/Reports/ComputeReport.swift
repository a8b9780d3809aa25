import Foundation
import SGD
import SVGPlot
import ScalingLaws

/// The report of `riccati scaling compute`: per student width the population risk of online
/// SGD against compute, the lower envelope over widths and its fitted exponent.
public struct ComputeReport: Sendable {
    public let frontier: ComputeFrontier
    /// The `config` object, provenance included.
    public let configuration: [(String, JSONValue)]

    /// The report of `frontier`, run from `base` (its spectrum the power law of exponent `alpha`).
    public init(frontier: ComputeFrontier, base: SGDConfiguration, alpha: Double, precision: ArithmeticPrecision) {
        self.frontier = frontier
        configuration = Provenance.stamp([
            ("d", .integer(base.dimension)), ("r", .integer(base.spectrum.count)), ("alpha", .number(alpha)),
            ("batch", .integer(base.batchSize)), ("lr", .number(base.learningRate)), ("steps", .integer(base.steps)),
            ("sigma0", .number(base.sigma0)), ("seed", .string(String(base.seed))), ("precision", .string(precision.rawValue)),
        ] + base.activation.configurationEntries + [
            ("status", .string(frontier.completed ? "completed" : "interrupted")),
        ])
    }

    /// The report in `format`.
    public func text(_ format: ReportFormat) -> String {
        switch format {
        case .json:
            return JSONValue.object([
                ("curves", .array(frontier.curves.map { curve in
                    .object([("rs", .integer(curve.studentWidth)), ("compute", .numbers(curve.compute)), ("risk", .numbers(curve.risk)),
                             ("stepsPerSecond", .number(curve.statistics.stepsPerSecond))])
                })),
                ("envelope", .object([("compute", .numbers(frontier.envelopeCompute)), ("risk", .numbers(frontier.envelopeRisk)),
                                      ("rs", .array(frontier.envelopeWidth.map { .integer($0) }))])),
                ("fittedExponent", frontier.fittedExponent.map(JSONValue.number) ?? .null),
                ("fitStart", frontier.fitStart.map(JSONValue.number) ?? .null),
                ("config", .object(configuration)),
            ]).serialized(indent: 2) + "\n"
        case .csv:
            var lines = ["# riccati scaling compute " + JSONValue.keyValueLine(configuration), "curve,rs,compute,risk"]
            for curve in frontier.curves {
                for (c, r) in zip(curve.compute, curve.risk) { lines.append("width,\(curve.studentWidth),\(c),\(r)") }
            }
            for index in frontier.envelopeCompute.indices {
                lines.append("envelope,\(frontier.envelopeWidth[index]),\(frontier.envelopeCompute[index]),\(frontier.envelopeRisk[index])")
            }
            return lines.joined(separator: "\n") + "\n"
        case .table:
            var lines = ["riccati scaling compute — " + JSONValue.keyValueLine(configuration)]
            lines.append("compute = steps·B·d·r_s multiply-adds (forward pass)")
            for curve in frontier.curves {
                lines.append(String(format: "r_s = %4d: final risk %.4e after %.3e multiply-adds (%.1f steps/s)", curve.studentWidth,
                                    curve.risk.last ?? .nan, curve.compute.last ?? .nan, curve.statistics.stepsPerSecond))
            }
            lines.append("frontier exponent: " + (frontier.fittedExponent.map { String(format: "%.3f", $0) } ?? "undefined (the envelope never halves)")
                         + (frontier.fitStart.map { String(format: " (fitted from %.3e multiply-adds)", $0) } ?? ""))
            return lines.joined(separator: "\n") + "\n"
        }
    }

    /// The `.npy` arrays: `widths` `(W,)`, `compute` and `risk` `(W, T)`, `envelope_compute`,
    /// `envelope_risk`, `envelope_width` `(G,)`, `fitted_exponent` `()`.
    public func arrays() throws(ReportError) -> [NamedArray] {
        let recordCount = frontier.curves.first?.compute.count ?? 0
        return [
            try .vector("widths", frontier.curves.map { Double($0.studentWidth) }),
            try NamedArray("compute", shape: [frontier.curves.count, recordCount], frontier.curves.flatMap(\.compute)),
            try NamedArray("risk", shape: [frontier.curves.count, recordCount], frontier.curves.flatMap(\.risk)),
            try .vector("envelope_compute", frontier.envelopeCompute), try .vector("envelope_risk", frontier.envelopeRisk),
            try .vector("envelope_width", frontier.envelopeWidth.map(Double.init)),
            try .scalar("fitted_exponent", frontier.fittedExponent ?? .nan),
        ]
    }

    /// Risk against compute per width, and the frontier (dashed).
    public func plot() throws(ReportError) -> String {
        var figure = Figure(title: "Population risk against compute (frontier dashed)", x: .logarithmic("compute (multiply-adds)"),
                            y: .logarithmic("population risk"))
        for curve in frontier.curves {
            let positive = zip(curve.compute, curve.risk).filter { $0.0 > 0 && $0.1 > 0 }
            figure.add(Series(label: "r_s = \(curve.studentWidth)", x: positive.map(\.0), y: positive.map(\.1)))
        }
        figure.add(Series(label: "frontier" + (frontier.fittedExponent.map { String(format: " (slope %.2f)", $0) } ?? ""),
                          x: frontier.envelopeCompute, y: frontier.envelopeRisk, color: "black", style: .dashed, width: 2.5))
        return try Plots.render(figure)
    }
}
