// Online SGD follows the overlap ODE (Ben Arous, Erdogdu, Vural & Wu, arXiv 2508.03688): SGD and
// the exact propagator from the SGD's own (M0, P0), at three learning rates over three seeds;
// the maximum relative risk deviation shrinks as η decreases (η·d/B → 0).
//
// Setup: d = 256, r = 8, r_s = 4, α = 1, σ0 = 0.3, B = 1024, t ∈ [0, 12], η ∈ {0.02, 0.005, 0.00125}.
//
// Usage: SGDMatchesODE OUTPUT_DIR [--smoke]
// Writes trajectories.csv (lr,seed,t,riskSGD,riskODE,relativeDeviation), deviations.csv
// (lr,meanMaxRelativeDeviation) and sgd_vs_ode.svg.
import Figures
import Foundation
import Riccati
import SGD
import SVGPlot

let example = ExampleRun(name: "SGDMatchesODE")
example.run {
    let rates = example.smoke ? [0.04, 0.01] : [0.02, 0.005, 0.00125]
    let seeds: [UInt64] = example.smoke ? [0] : [0, 1, 2]
    let horizon = example.smoke ? 2.0 : 12.0
    let d = example.smoke ? 64 : 256
    var rows: [[String]] = [], meanRows: [[String]] = []
    var riskPanel = Figure(title: "Risk: SGD (solid), ODE (dashed), seed 0", x: .linear("t"), y: .logarithmic("population risk"))
    var means: [Double] = []
    for (index, eta) in rates.enumerated() {
        var maxima: [Double] = []
        for seed in seeds {
            var configuration = SGDConfiguration(spectrum: try .powerLaw(exponent: 1, count: 8), dimension: d, studentWidth: 4,
                                                 batchSize: example.smoke ? 256 : 1024, learningRate: eta, steps: Int((horizon / eta).rounded()))
            configuration.sigma0 = 0.3
            configuration.seed = seed
            configuration.saveSteps = (0...24).map { Int((Double($0) * horizon / 24 / eta).rounded()) }
            let comparison = try ODEComparison.run(configuration, precision: Double.self)
            maxima.append(comparison.maxRelativeDeviation)
            for k in comparison.times.indices {
                rows.append(["\(eta)", "\(seed)", "\(comparison.times[k])", "\(comparison.riskSGD[k])", "\(comparison.riskODE[k])",
                             "\(comparison.relativeDeviation[k])"])
            }
            if seed == seeds[0] {
                let color = Palette.colors[index % Palette.colors.count]
                riskPanel.add(Series(label: "η = \(eta)", x: comparison.times, y: comparison.riskSGD, color: color, showsMarkers: true))
                riskPanel.add(Series(x: comparison.times, y: comparison.riskODE, color: color, style: .dashed))
            }
        }
        let mean = maxima.reduce(0, +) / Double(maxima.count)
        means.append(mean)
        meanRows.append(["\(eta)", "\(mean)"])
        example.say(String(format: "η = %.5f: mean max relative deviation %.4f over %d seeds", eta, mean, seeds.count))
    }
    var deviationPanel = Figure(title: "Mean max relative deviation against η", x: .logarithmic("learning rate η"),
                                y: .logarithmic("mean max |R_SGD − R_ODE| / R_ODE"))
    deviationPanel.add(Series(label: "\(seeds.count) seeds", x: rates, y: means, showsMarkers: true))
    example.writeCSV("trajectories.csv", header: ["lr", "seed", "t", "riskSGD", "riskODE", "relativeDeviation"], rows: rows)
    example.writeCSV("deviations.csv", header: ["lr", "meanMaxRelativeDeviation"], rows: meanRows)
    example.write(try FigureGrid(columns: 2, panels: [riskPanel, deviationPanel], title: "Online SGD against the overlap ODE").render(),
                  to: "sgd_vs_ode.svg")
}
