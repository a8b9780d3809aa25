// Where SGD leaves the gradient flow, and what predicts it there (issue 16; MODEL.md, "SGD-aware
// effective dynamics"): the mean of N online-SGD runs from one start, against the gradient flow
// (exact propagator) and the SGD-aware mean map (QuadraticSGDMeanMap, the exact one-step mean of
// SGD iterated at its own step η), in three regimes:
//
//   small noise   η·d/B = 0.005 (d = 512, B = 256, η = 0.0025), t ≤ 5: all three agree;
//   large noise   η·d/B = 0.08  (d = 512, B = 16, η = 0.0025), t ≤ 5: the flow is far off, the map close;
//   label noise   ς = 0.5, η·d/B = 0.04 (d = 256, B = 32, η = 0.005), t ≤ 10: the map predicts the floor.
//
// r = r_s = 4, α = 1 (Σλ² = 1), σ0 = 0.3 (riccati compare's default), seed 0; 40 seeds (20 with
// label noise), on both cores. About a minute in all, most of it the small-noise regime (B = 256).
//
// Usage: SGDAwareDynamics OUTPUT_DIR [--smoke]
// Writes trajectories.csv (regime,t,riskSGDMean,riskSGDStandardError,riskGradientFlow,riskSGDAware),
// summary.csv (one row per regime: η·d/B, ς, seeds, both predictions' mean relative deviation over
// t ≥ 1 and largest deviation in standard errors, the final risks) and sgd_aware.svg.
import Figures
import Foundation
import Riccati
import SGD
import SVGPlot

struct Regime {
    let name: String
    let dimension: Int
    let batch: Int
    let learningRate: Double
    let horizon: Double
    let labelNoise: Double
    let seeds: Int
}

let example = ExampleRun(name: "SGDAwareDynamics")
example.run {
    let regimes: [Regime] = example.smoke
        ? [Regime(name: "small noise", dimension: 64, batch: 64, learningRate: 0.005, horizon: 1, labelNoise: 0, seeds: 3),
           Regime(name: "large noise", dimension: 64, batch: 8, learningRate: 0.01, horizon: 1, labelNoise: 0, seeds: 3),
           Regime(name: "label noise", dimension: 64, batch: 16, learningRate: 0.01, horizon: 1, labelNoise: 0.5, seeds: 3)]
        : [Regime(name: "small noise", dimension: 512, batch: 256, learningRate: 0.0025, horizon: 5, labelNoise: 0, seeds: 40),
           Regime(name: "large noise", dimension: 512, batch: 16, learningRate: 0.0025, horizon: 5, labelNoise: 0, seeds: 40),
           Regime(name: "label noise", dimension: 256, batch: 32, learningRate: 0.005, horizon: 10, labelNoise: 0.5, seeds: 20)]
    var rows: [[String]] = [], summary: [[String]] = []
    var panels: [Figure] = []
    for regime in regimes {
        let steps = Int((regime.horizon / regime.learningRate).rounded())
        var configuration = SGDConfiguration(spectrum: try .powerLaw(exponent: 1, count: 4), dimension: regime.dimension,
                                             studentWidth: 4, batchSize: regime.batch, learningRate: regime.learningRate, steps: steps)
        configuration.labelNoise = regime.labelNoise
        configuration.sigma0 = 0.3
        configuration.saveSteps = (0...40).map { $0 * steps / 40 }
        let comparison = try SeedEnsembleComparison.run(SeedEnsemble(base: configuration, seeds: regime.seeds, jobs: 2),
                                                        precision: Double.self)
        let result = comparison.ensemble
        let mean = result.riskMean, error = result.riskStandardError
        // The quadratic model always has its SGD-aware prediction.
        guard let aware = comparison.sgdAwareDeviation else { throw FigureError.invalidData("no SGD-aware prediction for the quadratic model") }
        let flow = comparison.gradientFlowDeviation
        for k in result.times.indices {
            rows.append([regime.name, "\(result.times[k])", "\(mean[k])", "\(error[k])", "\(flow.risk[k])", "\(aware.risk[k])"])
        }
        let c = comparison.stepNoiseRatio
        summary.append([regime.name, "\(c)", "\(regime.labelNoise)", "\(result.seeds.count)", "\(flow.meanRelative)",
                        "\(aware.meanRelative)", "\(flow.maxStandardErrors)", "\(aware.maxStandardErrors)",
                        "\(mean.last!)", "\(error.last!)", "\(flow.risk.last!)", "\(aware.risk.last!)"])
        example.say(String(format: "%@: η·d/B = %.3f, ς = %.2g, %d seeds; at t = %g the SGD mean is %.4g ± %.2g, gradient flow %.4g, SGD-aware %.4g",
                           regime.name, c, regime.labelNoise, result.seeds.count, result.times.last!, mean.last!, error.last!,
                           flow.risk.last!, aware.risk.last!))
        example.say(String(format: "    mean relative deviation over t ≥ 1: gradient flow %.3f, SGD-aware %.3f; largest in standard errors: %.1f and %.1f",
                           flow.meanRelative, aware.meanRelative, flow.maxStandardErrors, aware.maxStandardErrors))
        var panel = Figure(title: String(format: "%@ (η·d/B = %.3f%@)", regime.name, c, regime.labelNoise > 0 ? ", ς = \(regime.labelNoise)" : ""),
                           x: .linear("t"), y: .logarithmic("population risk"))
        let lower = zip(mean, error).map { Swift.max($0 - 2 * $1, 1e-12) }, upper = zip(mean, error).map { $0 + 2 * $1 }
        panel.add(Series(label: "SGD mean (\(result.seeds.count) seeds)", x: result.times, y: mean, color: Palette.colors[0], showsMarkers: true))
        panel.add(Series(label: "± 2 standard errors", x: result.times, y: upper, color: Palette.colors[0], style: .dotted, width: 1))
        panel.add(Series(x: result.times, y: lower, color: Palette.colors[0], style: .dotted, width: 1))
        panel.add(Series(label: "gradient flow", x: result.times, y: flow.risk.map { Swift.max($0, 1e-12) }, color: Palette.colors[1], style: .dashed))
        panel.add(Series(label: "SGD-aware mean map", x: result.times, y: aware.risk, color: Palette.colors[2]))
        panels.append(panel)
    }
    example.writeCSV("trajectories.csv", header: ["regime", "t", "riskSGDMean", "riskSGDStandardError", "riskGradientFlow", "riskSGDAware"],
                     rows: rows)
    example.writeCSV("summary.csv", header: ["regime", "etaDOverB", "noise", "seeds", "meanRelativeDeviationGradientFlow",
                                            "meanRelativeDeviationSGDAware", "maxStandardErrorsGradientFlow", "maxStandardErrorsSGDAware",
                                            "finalRiskSGDMean", "finalRiskSGDStandardError", "finalRiskGradientFlow", "finalRiskSGDAware"],
                     rows: summary)
    example.write(try FigureGrid(columns: 3, panels: panels, title: "Online SGD against the gradient flow and the SGD-aware mean map").render(),
                  to: "sgd_aware.svg")
}
