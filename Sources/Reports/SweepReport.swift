import Foundation
import Riccati
import SVGPlot
import ScalingLaws

/// The report of `riccati scaling sweep`: per grid point the ODE risk and the additive model on
/// log-spaced times, the fit window and the fitted, additive and asymptotic log-log slopes.
public struct SweepReport: Sendable {
    public let points: [SweepPoint]
    /// Save times per point (every point has this many).
    public let saveCount: Int
    /// The `config` object, provenance included.
    public let configuration: [(String, JSONValue)]

    /// The report of the `points` of `sweep` that were run; `interrupted` when the sweep was
    /// stopped before every point finished (the `status` of the configuration).
    public init(points: [SweepPoint], sweep: ScalingSweep, interrupted: Bool = false) {
        self.points = points
        saveCount = sweep.saveCount
        configuration = Provenance.stamp([
            ("seed", .string(sweep.seeds.map { String($0) }.joined(separator: ","))), ("pointsCompleted", .integer(points.count)),
            ("status", .string(interrupted ? "interrupted" : "completed")),
            ("sigma0", .number(sweep.sigma0)), ("smallInit", .bool(sweep.smallInitialization)), ("saveCount", .integer(sweep.saveCount)),
            ("factorization", .string(sweep.factorization.rawValue)),
        ] + sweep.activation.configurationEntries
          + (sweep.activation.isQuadratic ? [] : [("method", .string("dopri5")), ("rtol", .number(sweep.flowOptions.relativeTolerance)),
                                                  ("atol", .number(sweep.flowOptions.absoluteTolerance))]))
    }

    /// The report in `format`.
    public func text(_ format: ReportFormat) -> String {
        func slope(_ value: Double?) -> JSONValue { value.map(JSONValue.number) ?? .null }
        switch format {
        case .csv:
            var lines = ["# riccati scaling sweep " + JSONValue.keyValueLine(configuration),
                         "alpha,r,rs,d,sigma0,seed,t,risk,riskAdditive"]
            for point in points {
                for index in point.times.indices {
                    lines.append("\(point.alpha),\(point.teacherWidth),\(point.studentWidth),\(point.dimension),\(point.sigma0),\(point.seed),\(point.times[index]),\(point.risk[index]),\(point.riskAdditive.isEmpty ? "" : "\(point.riskAdditive[index])")")
                }
            }
            return lines.joined(separator: "\n") + "\n"
        case .json:
            return JSONValue.object([
                ("points", .array(points.map { point in
                    .object([("alpha", .number(point.alpha)), ("r", .integer(point.teacherWidth)), ("rs", .integer(point.studentWidth)),
                             ("d", .number(point.dimension)), ("seed", .string(String(point.seed))),
                             ("window", point.window.map { JSONValue.numbers([$0.lowerBound, $0.upperBound]) } ?? .null),
                             ("fittedSlope", slope(point.fittedSlope)), ("additiveSlope", slope(point.additiveSlope)),
                             ("asymptoticSlope", slope(point.asymptoticSlope)), ("sigma0", .number(point.sigma0)),
                             ("smallInit", .bool(point.smallInitialization)), ("solveSeconds", .number(point.statistics.solveSeconds))])
                })),
                ("config", .object(configuration)),
            ]).serialized(indent: 2) + "\n"
        case .table:
            var lines = ["riccati scaling sweep — " + JSONValue.keyValueLine(configuration)]
            lines.append("     α      r    r_s          d  seed          window [t0, t1]   ODE slope  additive  asymptotic")
            func show(_ value: Double?) -> String { value.map { String(format: "%9.3f", $0) } ?? "        —" }
            for point in points {
                let window = point.window.map { String(format: "[%8.4g, %8.4g]", $0.lowerBound, $0.upperBound) } ?? "         (undefined)"
                lines.append(String(format: "%6.3g %6d %6d %10.3g %5@  %@  %@ %@   %@", point.alpha, point.teacherWidth, point.studentWidth,
                                    point.dimension, String(point.seed), window, show(point.fittedSlope), show(point.additiveSlope),
                                    show(point.asymptoticSlope)))
            }
            return lines.joined(separator: "\n") + "\n"
        }
    }

    /// The `.npy` arrays, `P` points × `T` times: `times`, `risk`, `risk_additive` `(P, T)`,
    /// `params` `(P, 6)` (α, r, r_s, d, σ0, seed), `window` `(P, 2)`, `slopes` `(P, 3)`
    /// (fitted, additive, asymptotic). A non-quadratic activation has no additive model: its
    /// `risk_additive` rows and additive slopes are NaN.
    public func arrays() throws(ReportError) -> [NamedArray] {
        [
            try NamedArray("times", shape: [points.count, saveCount], points.flatMap(\.times)),
            try NamedArray("risk", shape: [points.count, saveCount], points.flatMap(\.risk)),
            try NamedArray("risk_additive", shape: [points.count, saveCount], points.flatMap {
                $0.riskAdditive.isEmpty ? [Double](repeating: .nan, count: $0.times.count) : $0.riskAdditive
            }),
            try NamedArray("params", shape: [points.count, 6], points.flatMap {
                [$0.alpha, Double($0.teacherWidth), Double($0.studentWidth), $0.dimension, $0.sigma0, Double($0.seed)]
            }),
            try NamedArray("window", shape: [points.count, 2], points.flatMap { [$0.window?.lowerBound ?? .nan, $0.window?.upperBound ?? .nan] }),
            try NamedArray("slopes", shape: [points.count, 3], points.flatMap { [$0.fittedSlope ?? .nan, $0.additiveSlope ?? .nan, $0.asymptoticSlope ?? .nan] }),
        ]
    }

    /// The ODE risk (solid), the additive model (dashed) and the width floor (dotted) of every point.
    public func plot() throws(ReportError) -> String {
        var figure = Figure(title: "ODE risk (solid) and additive model (dashed)", x: .logarithmic("t"), y: .logarithmic("risk R(t)"))
        for (index, point) in points.enumerated() {
            let color = Palette.colors[index % Palette.colors.count]
            let label = "α=\(point.alpha) r=\(point.teacherWidth) r_s=\(point.studentWidth)"
            figure.add(Series(label: label, x: point.times, y: point.risk, color: color))
            let positive = zip(point.times, point.riskAdditive).filter { $0.1 > 0 }
            if !positive.isEmpty { figure.add(Series(x: positive.map(\.0), y: positive.map(\.1), color: color, style: .dashed)) }
            let floor = (try? TeacherSpectrum.powerLaw(exponent: point.alpha, count: point.teacherWidth))?.widthFloor(studentWidth: point.studentWidth) ?? 0
            if floor > 0 { figure.add(horizontal: HorizontalLine(value: floor, label: "floor " + label, color: color, style: .dotted)) }
        }
        return try Plots.render(figure)
    }
}
