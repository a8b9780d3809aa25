// Figure 1(b) of Ben Arous, Erdogdu, Vural & Wu (arXiv 2508.03688), at CPU size: online SGD with
// batch d on a teacher with r/d = 0.75 and α = 1 (the paper: d = 3200, r = 2400; here d = 256,
// r = 192), student widths 4 … 128; population risk against compute (k·B·d·r_s multiply-adds of
// the forward pass after k steps), the lower envelope over widths and its fitted exponent.
//
// Usage: Figure1bComputeFrontier OUTPUT_DIR [--smoke]
// Writes curves.csv (rs,step,compute,risk), frontier.csv (compute,risk,rs) and figure1b.svg.
import Figures
import Riccati
import SGD
import SVGPlot
import ScalingLaws

let example = ExampleRun(name: "Figure1bComputeFrontier")
example.run {
    let d = example.smoke ? 32 : 256
    let r = d * 3 / 4
    let widths = example.smoke ? [2, 4, 8] : [4, 8, 16, 32, 64, 128]
    let learningRate = 0.02, finalTime = example.smoke ? 4.0 : 100.0
    let steps = Int((finalTime / learningRate).rounded())
    var base = SGDConfiguration(spectrum: try .powerLaw(exponent: 1, count: r), dimension: d, studentWidth: widths[0],
                                batchSize: d, learningRate: learningRate, steps: steps)
    base.sigma0 = 0.3
    base.saveSteps = try SaveTimes.logSpaced(count: example.smoke ? 12 : 60, finalTime: finalTime).map { min(steps, Int(($0 / learningRate).rounded())) }
    let frontier = try ComputeFrontier.run(base: base, widths: widths, gridCount: example.smoke ? 30 : 200, precision: Float.self)

    var rows: [[String]] = []
    var figure = Figure(title: "Population risk against compute, d = \(d), r = \(r), α = 1 (Figure 1b)",
                        x: .logarithmic("compute (multiply-adds)"), y: .logarithmic("population risk"))
    for curve in frontier.curves {
        let perStep = Double(d * d * curve.studentWidth)
        for (c, risk) in zip(curve.compute, curve.risk) { rows.append(["\(curve.studentWidth)", "\(Int((c / perStep).rounded()))", "\(c)", "\(risk)"]) }
        let positive = zip(curve.compute, curve.risk).filter { $0.0 > 0 && $0.1 > 0 }
        figure.add(Series(label: "r_s = \(curve.studentWidth)", x: positive.map(\.0), y: positive.map(\.1)))
    }
    figure.add(Series(label: "frontier" + (frontier.fittedExponent.map { String(format: " (slope %.2f)", $0) } ?? ""),
                      x: frontier.envelopeCompute, y: frontier.envelopeRisk, color: "black", style: .dashed, width: 2.5))
    example.writeCSV("curves.csv", header: ["rs", "step", "compute", "risk"], rows: rows)
    example.writeCSV("frontier.csv", header: ["compute", "risk", "rs"], rows: frontier.envelopeCompute.indices.map {
        ["\(frontier.envelopeCompute[$0])", "\(frontier.envelopeRisk[$0])", "\(frontier.envelopeWidth[$0])"]
    })
    example.write(try figure.render(), to: "figure1b.svg")
    example.say("frontier exponent: " + (frontier.fittedExponent.map { String(format: "%.3f", $0) } ?? "undefined"))
}
