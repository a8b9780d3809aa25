// Figure 2 of Ben Arous, Erdogdu, Vural & Wu (arXiv 2508.03688): population risk of the
// gradient flow against time for α ∈ {0.75, 1, 1.5} and several student widths, with the
// additive model R_add(t) = 2 Σ_{j>J(t)} λ_j² and the width floors R_min = 2 Σ_{j>r_s} λ_j², and
// a table of fitted log-log slopes against the additive-model slope and (1 − 2α)/α.
//
// Setup: r = 128, widths r_s ∈ {16, 64, 128}, d = 1e12, small initialisation, exact propagator;
// slopes over [T_3, T_⌊min(r, r_s)/4⌋] (ScalingSweep's default window).
//
// Usage: Figure2RiskCurves OUTPUT_DIR [--smoke]
// Writes risk_curves.csv (alpha,rs,t,risk,riskAdditive,floor), exponents.csv and figure2.svg.
import Figures
import Riccati
import SVGPlot
import ScalingLaws

let example = ExampleRun(name: "Figure2RiskCurves")
example.run {
    let alphas = [0.75, 1.0, 1.5]
    let r = example.smoke ? 16 : 128
    let widths = example.smoke ? [4, 16] : [16, 64, 128]
    var sweep = ScalingSweep(alphas: alphas, teacherWidths: [r], studentWidths: widths, dimensions: [1e12], seeds: [0])
    sweep.smallInitialization = true
    sweep.jobs = 2
    sweep.saveCount = example.smoke ? 40 : 200
    sweep.finalTime = example.smoke ? 500 : 5000
    sweep.factorization = .cholesky
    let points = try sweep.run()

    var curveRows: [[String]] = [], exponentRows: [[String]] = []
    var panels: [Figure] = []
    for alpha in alphas {
        // With r_s = r the risk falls to round-off level (~1e-28); the power law lives above 1e-5.
        var panel = Figure(title: "α = \(alpha): ODE (solid), additive model (dashed)", x: .logarithmic("t"),
                           y: .logarithmic("risk R(t)", range: 1e-5...3))
        for (index, point) in points.filter({ $0.alpha == alpha }).enumerated() {
            let floor = try TeacherSpectrum.powerLaw(exponent: alpha, count: r).widthFloor(studentWidth: point.studentWidth)
            for k in point.times.indices {
                curveRows.append(["\(alpha)", "\(point.studentWidth)", "\(point.times[k])", "\(point.risk[k])", "\(point.riskAdditive[k])", "\(floor)"])
            }
            func show(_ value: Double?) -> String { value.map { "\($0)" } ?? "" }
            exponentRows.append(["\(alpha)", "\(point.studentWidth)", show(point.window?.lowerBound), show(point.window?.upperBound),
                                 show(point.fittedSlope), show(point.additiveSlope), show(point.asymptoticSlope)])
            let color = Palette.colors[index % Palette.colors.count]
            panel.add(Series(label: "r_s = \(point.studentWidth)", x: point.times, y: point.risk, color: color))
            let additive = zip(point.times, point.riskAdditive).filter { $0.1 > 0 }
            panel.add(Series(x: additive.map(\.0), y: additive.map(\.1), color: color, style: .dashed))
            if floor > 0 { panel.add(horizontal: HorizontalLine(value: floor, color: color, style: .dotted)) }
            example.say(String(format: "α = %.2f, r_s = %3d: fitted slope %@, additive %@, asymptotic %.3f", alpha, point.studentWidth,
                               point.fittedSlope.map { String(format: "%.3f", $0) } ?? "—",
                               point.additiveSlope.map { String(format: "%.3f", $0) } ?? "—", point.asymptoticSlope ?? .nan))
        }
        panels.append(panel)
    }
    example.writeCSV("risk_curves.csv", header: ["alpha", "rs", "t", "risk", "riskAdditive", "floor"], rows: curveRows)
    example.writeCSV("exponents.csv", header: ["alpha", "rs", "windowStart", "windowEnd", "fittedSlope", "additiveSlope", "asymptoticSlope"],
                     rows: exponentRows)
    example.write(try FigureGrid(columns: 3, panels: panels, title: "Risk curves of the gradient flow, r = \(r), d = 1e12 (Figure 2)").render(),
                  to: "figure2.svg")
}
