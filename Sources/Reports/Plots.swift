import Foundation
import Monotonicity
import Riccati
import SGD
import SVGPlot
import ScalingLaws

/// The figures of the reports (`riccati … --plot`). Axis rules, the same in every figure:
/// - a value axis is logarithmic when its positive values span more than one decade and none is
///   negative (zeros are then left out); otherwise linear;
/// - the time axis of `integrate` and `sgd` is logarithmic (`t = 0` is left out); in `compare`
///   and `monotonicity` it is logarithmic when the positive times span at least two decades
///   (log-spaced records) and linear otherwise;
/// - the learning-rate sweep of `compare` is always log-log (its slope is a log-log slope).
public enum Plots {
    // MARK: Helpers

    public static func render(_ figure: Figure) throws(ReportError) -> String {
        do { return try figure.render() } catch { throw .rendering("\(error)") }
    }

    public static func render(_ grid: FigureGrid) throws(ReportError) -> String {
        do { return try grid.render() } catch { throw .rendering("\(error)") }
    }

    /// Logarithmic when the positive finite values span more than a decade and none is negative.
    public static func scale(for values: [Double]) -> AxisScale {
        let finite = values.filter(\.isFinite)
        let positive = finite.filter { $0 > 0 }
        guard finite.allSatisfy({ $0 >= 0 }), let low = positive.min(), let high = positive.max(), high > 10 * low else {
            return .linear
        }
        return .logarithmic
    }

    /// Time axes of `compare` and `monotonicity`: logarithmic over ≥ 2 decades of positive times.
    public static func timeScale(for times: [Double]) -> AxisScale {
        let positive = times.filter { $0 > 0 && $0.isFinite }
        guard let low = positive.min(), let high = positive.max(), high >= 100 * low else { return .linear }
        return .logarithmic
    }

    /// Values to draw on an axis of `scale`: non-positive values become NaN (a gap) on a log axis.
    public static func drawable(_ values: [Double], on scale: AxisScale) -> [Double] {
        scale == .logarithmic ? values.map { $0 > 0 ? $0 : .nan } : values
    }

    public static func axis(_ label: String, _ scale: AxisScale) -> Axis {
        Axis(label: label, scale: scale)
    }

    public static func format(_ value: Double) -> String { String(format: "%.4g", value) }

    /// `R_min = …` label of the width-floor line.
    public static func floorLine(_ floor: Double) -> HorizontalLine? {
        floor > 0 ? HorizontalLine(value: floor, label: "width floor R_min = 2Σ_{j>r_s} λ_j² = \(format(floor))") : nil
    }

    // MARK: integrate

    /// Log-log risk against `t` (save times with `t > 0`), the width floor, and the additive-model
    /// prediction `R_add(t)` (dashed, 400 log-spaced times) when `prediction` is given.
    public static func integrate(_ solution: Solution, prediction: ScalingPrediction?, title: String) throws(ReportError) -> String {
        var figure = Figure(title: title, x: .logarithmic("t"), y: .logarithmic("population risk R(t)"), width: 720, height: 460)
        let times = drawable(solution.times, on: .logarithmic)
        figure.add(Series(label: "R(t), \(solution.methodName)", x: times, y: drawable(solution.risk, on: .logarithmic),
                          showsMarkers: true))
        let positiveTimes = solution.times.filter { $0 > 0 }
        if let prediction, let first = positiveTimes.first, let last = positiveTimes.last {
            let count = first < last ? 400 : 1
            let grid = (0..<count).map { k in
                count == 1 ? first : first * pow(last / first, Double(k) / Double(count - 1))
            }
            figure.add(Series(label: "additive model R_add(t)", x: grid,
                              y: drawable(grid.map(prediction.additiveRisk(at:)), on: .logarithmic), style: .dashed))
        }
        if let line = floorLine(solution.riskFloor) { figure.add(horizontal: line) }
        return try render(figure)
    }

    // MARK: sgd

    /// Log-log population risk of SGD against `t` (`t = 0` left out), with the width floor.
    public static func sgd(_ result: SGDResult, floor: Double, precision: String, title: String) throws(ReportError) -> String {
        var figure = Figure(title: title, x: .logarithmic("t = ηk"), y: .logarithmic("population risk R(t)"), width: 720, height: 460)
        figure.add(Series(label: "SGD (\(precision))", x: drawable(result.times, on: .logarithmic),
                          y: drawable(result.risk, on: .logarithmic), showsMarkers: true))
        if let line = floorLine(floor) { figure.add(horizontal: line) }
        return try render(figure)
    }

    // MARK: compare

    /// How a gradient-flow prediction was integrated, for a legend: `exact propagator` or the
    /// Runge–Kutta method's name (`dopri5` for a non-quadratic activation).
    static func methodLabel(_ solution: Solution) -> String {
        if case .exact? = solution.method { return "exact propagator" }
        return solution.methodName
    }

    /// Panel 1: risk of SGD (solid, markers) and of the ODE (dashed) against `t`, with the width
    /// floor. Panel 2: relative risk deviation and overlap deviation against `t`. With a sweep,
    /// panel 3: mean maximum relative deviation against `η` (log-log).
    public static func compare(_ comparison: ODEComparison, sweep: LearningRateSweep?, floor: Double, title: String) throws(ReportError) -> String {
        let xScale = timeScale(for: comparison.times)
        let times = drawable(comparison.times, on: xScale)
        let riskScale = scale(for: comparison.riskSGD + comparison.riskODE)
        var riskPanel = Figure(title: "Population risk: SGD against the ODE", x: axis("t", xScale), y: axis("R(t)", riskScale),
                               width: 600, height: 440)
        riskPanel.add(Series(label: "SGD", x: times, y: drawable(comparison.riskSGD, on: riskScale), showsMarkers: true))
        riskPanel.add(Series(label: "ODE (\(methodLabel(comparison.ode)))", x: times, y: drawable(comparison.riskODE, on: riskScale),
                             style: .dashed))
        if let line = floorLine(floor) { riskPanel.add(horizontal: line) }

        let deviationScale = scale(for: comparison.relativeDeviation + comparison.overlapDeviation)
        var deviationPanel = Figure(title: "Deviation of SGD from the ODE", x: axis("t", xScale), y: axis("deviation", deviationScale),
                                    width: 600, height: 440)
        deviationPanel.add(Series(label: "|R_SGD − R_ODE|/R_ODE", x: times, y: drawable(comparison.relativeDeviation, on: deviationScale),
                                  showsMarkers: true))
        deviationPanel.add(Series(label: "‖G_SGD − G_ODE‖_F/‖Λ‖_F", x: times, y: drawable(comparison.overlapDeviation, on: deviationScale),
                                  style: .dashed))
        var panels = [riskPanel, deviationPanel]
        if let sweep {
            let rates = sweep.points.map(\.learningRate), means = sweep.points.map(\.meanMaxRelativeDeviation)
            // Log-log whatever the span: the slope in the title is that of log deviation against log η.
            let rateScale = AxisScale.logarithmic
            let meanScale: AxisScale = means.contains { $0 > 0 } && means.allSatisfy { !($0 < 0) } ? .logarithmic : .linear
            var sweepPanel = Figure(title: "Learning-rate sweep" + (sweep.slope.map { ": slope \(format($0))" } ?? ""),
                                    x: axis("learning rate η", rateScale), y: axis("mean max relative deviation", meanScale),
                                    width: 600, height: 440)
            sweepPanel.add(Series(label: "mean over seeds", x: drawable(rates, on: rateScale), y: drawable(means, on: meanScale),
                                  showsMarkers: true))
            panels.append(sweepPanel)
        }
        return try render(FigureGrid(columns: 2, panels: panels, title: title))
    }

    /// The figure of `compare --seeds N`. Panel 1: the SGD mean risk over the seeds (solid,
    /// markers) between its band `mean ± 2 SE` (thin dotted lines of the same colour), the
    /// gradient flow (dashed) and the SGD-aware mean map (dash-dotted: dotted, thicker; absent for
    /// an activation other than the quadratic model), with the width floor. Panel 2: both predictions' relative deviations `|mean − pred|/pred` (left out
    /// when there is none: no run finished).
    public static func compareEnsemble(_ ensemble: SeedEnsembleComparison, floor: Double, title: String) throws(ReportError) -> String {
        let result = ensemble.ensemble
        let mean = result.riskMean, error = result.riskStandardError
        let lower = zip(mean, error).map { $0 - 2 * $1 }, upper = zip(mean, error).map { $0 + 2 * $1 }
        let flow = ensemble.gradientFlowDeviation, aware = ensemble.sgdAwareDeviation
        let xScale = timeScale(for: result.times)
        let times = drawable(result.times, on: xScale)
        let riskScale = scale(for: mean + flow.risk + (aware?.risk ?? []))
        var riskPanel = Figure(title: "Population risk: SGD mean over \(result.seeds.count) seeds against the predictions",
                               x: axis("t", xScale), y: axis("R(t)", riskScale), width: 600, height: 440)
        let sgdColor = Palette.colors[0]
        riskPanel.add(Series(label: "SGD mean", x: times, y: drawable(mean, on: riskScale), color: sgdColor, showsMarkers: true))
        riskPanel.add(Series(label: "SGD mean ± 2 SE", x: times, y: drawable(upper, on: riskScale), color: sgdColor, style: .dotted, width: 1))
        riskPanel.add(Series(x: times, y: drawable(lower, on: riskScale), color: sgdColor, style: .dotted, width: 1))
        riskPanel.add(Series(label: "gradient flow (\(methodLabel(ensemble.gradientFlow)))", x: times, y: drawable(flow.risk, on: riskScale),
                             style: .dashed))
        if let aware {
            riskPanel.add(Series(label: "SGD-aware mean map", x: times, y: drawable(aware.risk, on: riskScale), style: .dotted, width: 2.5))
        }
        if let line = floorLine(floor) { riskPanel.add(horizontal: line) }

        let deviationScale = scale(for: flow.relative + (aware?.relative ?? []))
        var deviationPanel = Figure(title: "Relative deviation of the SGD mean from each prediction", x: axis("t", xScale),
                                    y: axis("|mean − pred|/pred", deviationScale), width: 600, height: 440)
        deviationPanel.add(Series(label: "gradient flow", x: times, y: drawable(flow.relative, on: deviationScale), style: .dashed,
                                  showsMarkers: true))
        if let aware {
            deviationPanel.add(Series(label: "SGD-aware mean map", x: times, y: drawable(aware.relative, on: deviationScale),
                                      showsMarkers: true))
        }
        // An ensemble stopped before its first run finished has no deviation to draw.
        let hasPoint = { (values: [Double]) in zip(times, Plots.drawable(values, on: deviationScale)).contains { $0.isFinite && $1.isFinite } }
        let drawsDeviations = hasPoint(flow.relative) || hasPoint(aware?.relative ?? [])
        return try render(FigureGrid(columns: 2, panels: drawsDeviations ? [riskPanel, deviationPanel] : [riskPanel], title: title))
    }

    // MARK: monotonicity

    /// `sign(x)·log₁₀(1 + |x|)`: a signed logarithm that is linear near 0 (SVGPlot has no symlog axis).
    public static func signedLog(_ x: Double) -> Double {
        x.isFinite ? (x < 0 ? -1 : 1) * log10(1 + abs(x)) : .nan
    }

    /// The figure of `monotonicity` for `r ≠ 2` (or when Figure 3's level sets cannot be drawn).
    ///
    /// Panel 1 shows each method's margin `m = λ_min(G_B − G_A)` in units of its Loewner tolerance
    /// `τ`, through the signed logarithm `y = sign(m)·log₁₀(1 + |m|/τ)` on a linear axis: `y = 0`
    /// is `m = 0`, `y = k` is `m ≈ 10^k τ`, and the order counts as violated exactly when
    /// `y < −log₁₀ 2` (`m < −τ`), the dashed line. (With `--tolerance 0`, `τ` is replaced by
    /// `ε·max(‖G_A‖_F, ‖G_B‖_F)`, `ε` the double-precision epsilon.) Panel 2 shows the diagonal
    /// entries `G_jj`, `j ≤ 4`, of trajectory A (exact propagator) at the save times.
    public static func monotonicity(_ runs: [ComparisonPrincipleRun], title: String) throws(ReportError) -> String {
        let times = runs[0].comparison.times
        let xScale = timeScale(for: times)
        let x = drawable(times, on: xScale)
        var marginPanel = Figure(title: "Margin of G_A ⪯ G_B per tolerance τ",
                                 x: axis("t", xScale), y: .linear("sign(m)·log₁₀(1 + |m|/τ), m = λ_min(G_B − G_A)"),
                                 width: 620, height: 440)
        for (index, run) in runs.enumerated() {
            let comparison = run.comparison
            let y = comparison.comparisons.indices.map { (i: Int) -> Double in
                var scale = comparison.comparisons[i].tolerance
                if !(scale > 0), i < run.lower.states.count, i < run.upper.states.count {
                    scale = Double.ulpOfOne * Swift.max(run.lower.states[i].signalGramNorm,
                                                        run.upper.states[i].signalGramNorm)
                }
                scale = Swift.max(scale, .leastNormalMagnitude)
                return signedLog(comparison.comparisons[i].smallestEigenvalue / scale)
            }
            marginPanel.add(Series(label: run.method.name, x: x, y: y, style: index == 0 ? .solid : .dashed, showsMarkers: index == 0))
        }
        marginPanel.add(horizontal: HorizontalLine(value: -log10(2), label: "violation below (m < −τ)", color: "#B00020"))

        let lower = runs[0].lower
        let r = lower.spectrum.count
        let diagonals = (0..<Swift.min(4, r)).map { j in lower.states.map { $0.signalGramDiagonal[j] } }
        let entryScale = scale(for: diagonals.flatMap { $0 })
        var entryPanel = Figure(title: "Diagonal of G_A(t) (exact propagator)", x: axis("t", xScale), y: axis("G_jj", entryScale),
                                width: 620, height: 440)
        let entryTimes = drawable(lower.times, on: xScale)
        for (j, values) in diagonals.enumerated() {
            entryPanel.add(Series(label: "G_\(j + 1)\(j + 1), λ_\(j + 1) = \(format(lower.spectrum.values[j]))", x: entryTimes,
                                  y: drawable(values, on: entryScale), showsMarkers: true))
        }
        return try render(FigureGrid(columns: 2, panels: [marginPanel, entryPanel], title: title))
    }
}
