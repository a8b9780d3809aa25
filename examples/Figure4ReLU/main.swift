// Figure 4 of Ben Arous, Erdogdu, Vural & Wu (arXiv 2508.03688): population loss against compute
// for a two-layer ReLU network, 2-homogeneous student f_W(x) = Σ_i ‖w_i‖ ReLU(⟨w_i, x⟩), teacher
// f*(x) = Σ_j λ_j ReLU(⟨θ_j, x⟩) with λ_j ∝ j^{-α} (Σλ² = 1), trained by population gradient descent
// W ← W − (η/2)∇_W R (GeneralActivationGradientDescent: exact in the overlaps (M, P) for any d).
// The same runs with σ = He2 (QuadraticPopulationGradientDescent) are the quadratic reference.
//
// Setup: r = 128, widths r_s ∈ {8, 16, 32, 64, 128}, α ∈ {0.75, 1, 1.5}, d = 1e6, σ0 = 1e-3
// (rows of W0 ~ N(0, σ0² I/d), P0 drawn), seed 0. The widest student runs to t = 2500, 4000, 12000
// (ReLU) and 200, 300, 900 (He2) for α = 0.75, 1, 1.5; a width r_s runs 128/r_s times as many steps,
// to the same compute.
//
// Compute: neuron-steps, C = k·r_s after k steps. A step of population gradient descent on W
// updates r_s·d weights, so its cost is proportional to r_s at fixed d (multiply by d, or by the
// flops per weight, to get operations; a width-independent factor moves every curve by the same
// amount and changes no slope). It is not the cost of this program, which is O(r_s² r + r_s³)
// per step in overlap coordinates.
//
// Learning rates. Gradient descent is stable while η·h < 2, h the largest curvature of ½R. For
// ReLU the stiff direction is the overall scale of W, carried by the He0 part of the kernel; its
// curvature at the teacher is h = 4 E[f*²]/Σλ_j (E[f*²] = κ(0)(Σλ)² + (κ(1) − κ(0))Σλ²):
// 4.3, 3.0, 2.0 for α = 0.75, 1, 1.5. Measured at α = 1, r = r_s = 128: η = 0.6 is stable, η = 0.625
// is not (the mean mode starts a period-2 oscillation and the risk stalls at ~1e-2), so the largest
// curvature reached along the run is ~3.25, 8% above h. We take η = 1.5/h (η·h = 1.5): 0.35, 0.5,
// 0.74. For He2 the curvature is at most 8λ_1 (a neuron's own norm) and η = 1/(8λ_1).
//
// Fits. Slopes of log R against log C (equivalently log t: at fixed width C ∝ t) over the learning
// of the 2nd to the 16th teacher direction of the widest student (its escape times T_2 … T_16,
// G_jj ≥ λ_j/2); the first escape coincides with the initial drop of the ReLU risk (the He0 and He1
// parts, the mean and the linear component of the teacher) and is left out. The frontier (the
// lower envelope over widths, ComputeFrontier.envelope) is fitted over the same range of risk,
// [R(T_16), R(T_2)] of the widest student. References: (1 − 2α)/α, the quadratic model's exponent in
// time (one curve, r → ∞); the ideal sequential-learning curve with the run's own escape times
// (log Σ_{j>J} λ_j² against log T_J, J = 2 … 16: what the slope would be if each direction were
// learned completely at its escape time); and (1 − 2α)/(1 + α), the additive model's frontier
// exponent when compute is t·r_s (the optimal width grows like t^{1/α}).
//
// Smoke (--smoke): r = 32, widths 8, 16, 32, short horizons, window [T_2, T_4]; under a second.
//
// Usage: Figure4ReLU OUTPUT_DIR [--smoke]
// Writes curves.csv (activation,alpha,rs,eta,step,t,compute,risk,he0,he1,he2,higher; for He2 the
// whole risk is he2), frontier.csv (activation,alpha,compute,risk,rs), slopes.csv (one row per α and
// activation), degrees.csv (the widest ReLU student: the risk split by Hermite degree) and
// figure4.svg, figure4_he2.svg, figure4_degrees.svg. The full run takes 145 s of CPU, two runs at
// a time (3 min wall on the shared 2-core machine under a load of 4–8); --smoke 0.5 s.
import Dispatch
import Figures
import Foundation
import LinearAlgebra
import Riccati
import SVGPlot
import ScalingLaws

struct Job: Sendable {
    let activation: Activation
    let alpha: Double
    let width: Int
    let learningRate: Double
    let steps: Int
}

struct Run: Sendable {
    let job: Job
    let steps: [Int]
    let times: [Double]
    let risk: [Double]
    let degrees: [RiskByHermiteDegree?]
    let escapeTimes: [Double?]
    let seconds: Double
    var compute: [Double] { steps.map { Double($0 * job.width) } }
}

/// Results written by the worker threads, one slot per job.
final class Slots: @unchecked Sendable {
    private var runs: [Run?]
    private var failures: [String] = []
    private var cursor = 0
    private let lock = NSLock()
    init(count: Int) { runs = Array(repeating: nil, count: count) }
    /// The next position of the work list, or `nil` when all are taken.
    func take() -> Int? { lock.lock(); defer { lock.unlock() }; cursor += 1; return cursor <= runs.count ? cursor - 1 : nil }
    func store(_ run: Run, at index: Int) { lock.lock(); runs[index] = run; lock.unlock() }
    func fail(_ message: String) { lock.lock(); failures.append(message); lock.unlock() }
    var results: ([Run?], [String]) { lock.lock(); defer { lock.unlock() }; return (runs, failures) }
}

/// The curvature of ½R along the overall scale of W at the teacher: 4 E[f*²] / Σλ_j.
func scaleCurvature(_ spectrum: TeacherSpectrum, _ activation: Activation) -> Double {
    let kernel = ActivationKernel(activation)
    let sum = spectrum.values.reduce(0, +), squares = spectrum.squaredNorm
    let teacherSquare = kernel.value(0) * sum * sum + (kernel.value(1) - kernel.value(0)) * squares
    return 4 * teacherSquare / sum
}

/// Log-spaced whole steps in [1, n], distinct, ending at n.
func logSteps(_ n: Int, count: Int) -> [Int] {
    var steps = Set<Int>()
    for k in 0..<count { steps.insert(Int((pow(Double(n), Double(k) / Double(count - 1))).rounded())) }
    steps.insert(n)
    return steps.sorted()
}

func slope(_ x: [Double], _ y: [Double], window: ClosedRange<Double>?) -> Double? {
    guard let window else { return nil }
    return try? PowerLawFit.slope(x: x, y: y, window: window)
}

func format(_ value: Double?) -> String { value.map { String(format: "%.3f", $0) } ?? "—" }

let example = ExampleRun(name: "Figure4ReLU")
example.run {
    BLAS.setThreadCount(1)
    let smoke = example.smoke
    let r = smoke ? 32 : 128
    let widths = smoke ? [8, 16, 32] : [8, 16, 32, 64, 128]
    let alphas = [0.75, 1.0, 1.5]
    let d = 1e6, sigma0 = 1e-3
    // Horizons in time of the widest student: it learns its 16th direction well before (T_16 ≈ 410,
    // 680, 2400 for ReLU); He2 learns 12 to 15 times faster.
    let reluHorizon: [Double: Double] = smoke ? [0.75: 300, 1.0: 400, 1.5: 600] : [0.75: 2500, 1.0: 4000, 1.5: 12000]
    let he2Horizon: [Double: Double] = smoke ? [0.75: 30, 1.0: 40, 1.5: 60] : [0.75: 200, 1.0: 300, 1.5: 900]
    let lastEscape = smoke ? 4 : 16
    let saveCount = smoke ? 40 : 160

    var jobs: [Job] = []
    var etaTable: [String] = []
    for alpha in alphas {
        let spectrum = try TeacherSpectrum.powerLaw(exponent: alpha, count: r)
        let h = scaleCurvature(spectrum, .relu)
        let reluRate = (1.5 / h * 100).rounded(.down) / 100
        let he2Rate = (1 / (8 * spectrum.largest) * 1000).rounded(.down) / 1000
        etaTable.append(String(format: "α = %.2f: ReLU scale curvature h = %.3f, η = %.2f (η·h = %.2f); He2 8λ_1 = %.3f, η = %.3f",
                               alpha, h, reluRate, reluRate * h, 8 * spectrum.largest, he2Rate))
        // Every width runs to the compute of the widest at its horizon, so that the frontier is a
        // minimum over all widths up to the end.
        for width in widths {
            let factor = widths.last! / width
            jobs.append(Job(activation: .relu, alpha: alpha, width: width, learningRate: reluRate,
                            steps: Int((reluHorizon[alpha]! / reluRate).rounded()) * factor))
            jobs.append(Job(activation: .he2, alpha: alpha, width: width, learningRate: he2Rate,
                            steps: Int((he2Horizon[alpha]! / he2Rate).rounded()) * factor))
        }
    }
    etaTable.forEach(example.say)

    // The most expensive runs first, two at a time (one per core; OpenBLAS on one thread).
    let cost = { (job: Job) -> Double in
        Double(job.steps) * Double(job.width * job.width * (r + job.width)) * (job.activation == .relu ? 4 : 1)
    }
    let work = jobs
    let order = work.indices.sorted { cost(work[$0]) > cost(work[$1]) }
    let slots = Slots(count: work.count)
    let started = Date()
    DispatchQueue.concurrentPerform(iterations: 2) { _ in
        while let position = slots.take() {
            let index = order[position], job = work[index]
            do {
                let spectrum = try TeacherSpectrum.powerLaw(exponent: job.alpha, count: r)
                let dynamics = try job.activation.gradientDescent(spectrum: spectrum, studentWidth: job.width,
                                                                  learningRate: job.learningRate)
                let initial = try RandomInitialization(studentWidth: job.width, teacherWidth: r, dimension: d, sigma0: sigma0,
                                                       seed: 0).sample()
                let steps = logSteps(job.steps, count: saveCount)
                let problem = try OverlapProblem(dynamics: dynamics, initialState: initial, finalTime: Double(job.steps) * job.learningRate,
                                                 saveTimes: steps.map { Double($0) * job.learningRate })
                let clock = Date()
                let solution = try solve(problem, method: nil)
                guard solution.status == .success else {
                    slots.fail("\(job.activation.name) α = \(job.alpha) r_s = \(job.width): \(solution.status) \(solution.message)")
                    continue
                }
                let kept = solution.times.map { Int(($0 / job.learningRate).rounded()) }
                slots.store(Run(job: job, steps: kept, times: solution.times, risk: solution.observables.map(\.risk),
                                degrees: solution.observables.map(\.riskByDegree), escapeTimes: solution.escapeTimes,
                                seconds: Date().timeIntervalSince(clock)), at: index)
            } catch {
                slots.fail("\(job.activation.name) α = \(job.alpha) r_s = \(job.width): \(error)")
            }
        }
    }
    let (stored, failures) = slots.results
    guard failures.isEmpty else { throw FigureError.invalidData(failures.joined(separator: "; ")) }
    let runs = stored.compactMap { $0 }
    example.say(String(format: "%d runs in %.1f s (two at a time)", runs.count, Date().timeIntervalSince(started)))

    var curveRows: [[String]] = [], frontierRows: [[String]] = [], slopeRows: [[String]] = [], degreeRows: [[String]] = []
    var reluPanels: [Figure] = [], he2Panels: [Figure] = [], degreePanels: [Figure] = []
    var summary: [String] = []
    for alpha in alphas {
        let reference = (1 - 2 * alpha) / alpha, frontierReference = (1 - 2 * alpha) / (1 + alpha)
        for activation in [Activation.relu, .he2] {
            let selected = runs.filter { $0.job.alpha == alpha && $0.job.activation == activation }.sorted { $0.job.width < $1.job.width }
            guard let widest = selected.last else { continue }
            for run in selected {
                for k in run.steps.indices {
                    let parts = run.degrees[k]
                    curveRows.append([activation.name, "\(alpha)", "\(run.job.width)", "\(run.job.learningRate)", "\(run.steps[k])",
                                      "\(run.times[k])", "\(run.compute[k])", "\(run.risk[k])",
                                      parts.map { "\($0.he0)" } ?? "", parts.map { "\($0.he1)" } ?? "",
                                      parts.map { "\($0.he2)" } ?? "\(run.risk[k])", parts.map { "\($0.higher)" } ?? ""])
                }
            }
            // The widest student's window [T_2, T_16] and the risk range it spans.
            let escapes = widest.escapeTimes
            let window: ClosedRange<Double>? = {
                guard escapes.count >= lastEscape, let start = escapes[1], let end = escapes[lastEscape - 1], end > start else { return nil }
                return start...end
            }()
            let widestSlope = slope(widest.times, widest.risk, window: window)
            // The ideal sequential-learning curve with this run's own escape times: direction J learned
            // completely and instantly at T_J, so R ∝ Σ_{j>J} λ_j² (for ReLU the He2 and higher parts alike).
            let lambda = try TeacherSpectrum.powerLaw(exponent: alpha, count: r).values
            let learned = (2...lastEscape).compactMap { index -> (Double, Double)? in
                guard index <= escapes.count, let time = escapes[index - 1] else { return nil }
                return (time, lambda[index...].reduce(0) { $0 + $1 * $1 })
            }
            let sequentialSlope = try? PowerLawFit.slope(x: learned.map(\.0), y: learned.map(\.1))
            let curves = selected.map { ComputeFrontier.Curve(studentWidth: $0.job.width, compute: $0.compute, risk: $0.risk) }
            let frontier = try ComputeFrontier.envelope(of: curves, gridCount: smoke ? 60 : 300)
            var frontierSlope: Double?
            var riskRange: ClosedRange<Double>?
            if let window {
                let logT = widest.times.map { log($0) }, logR = widest.risk.map { log($0) }
                func riskAt(_ t: Double) -> Double {
                    let upper = min(max(widest.times.firstIndex { $0 >= t } ?? widest.times.count - 1, 1), widest.times.count - 1)
                    let f = (log(t) - logT[upper - 1]) / (logT[upper] - logT[upper - 1])
                    return exp(logR[upper - 1] + f * (logR[upper] - logR[upper - 1]))
                }
                riskRange = riskAt(window.upperBound)...riskAt(window.lowerBound)
                let inRange = frontier.envelopeRisk.indices.filter { riskRange!.contains(frontier.envelopeRisk[$0]) }
                frontierSlope = try? PowerLawFit.slope(x: inRange.map { frontier.envelopeCompute[$0] }, y: inRange.map { frontier.envelopeRisk[$0] })
            }
            for k in frontier.envelopeCompute.indices {
                frontierRows.append([activation.name, "\(alpha)", "\(frontier.envelopeCompute[k])", "\(frontier.envelopeRisk[k])",
                                     "\(frontier.envelopeWidth[k])"])
            }
            func show(_ value: Double?) -> String { value.map { "\($0)" } ?? "" }
            slopeRows.append([show(alpha), activation.name, show(widest.job.learningRate), "\(widest.job.width)", show(window?.lowerBound),
                              show(window?.upperBound), show(widestSlope), show(sequentialSlope), show(frontierSlope), show(reference),
                              show(frontierReference)])
            summary.append(String(format: "α = %.2f %@: η = %.3g, widest r_s = %d over [T_2, T_%d] = [%@, %@]: slope %@ (sequential learning at these T_j %@, (1−2α)/α = %.3f); frontier slope %@ ((1−2α)/(1+α) = %.3f)",
                                  alpha, activation.name.padding(toLength: 4, withPad: " ", startingAt: 0), widest.job.learningRate,
                                  widest.job.width, lastEscape, window.map { String(format: "%.4g", $0.lowerBound) } ?? "—",
                                  window.map { String(format: "%.4g", $0.upperBound) } ?? "—", format(widestSlope), format(sequentialSlope),
                                  reference, format(frontierSlope), frontierReference))

            // The panel: every width, the frontier, and a dashed line of slope (1 − 2α)/α through the widest
            // student's curve at T_2, drawn over the window's compute range extended by a decade.
            let title = String(format: "α = %.2f, %@ (slopes: widest %@, frontier %@)", alpha, activation == .relu ? "ReLU" : "He2",
                               format(widestSlope), format(frontierSlope))
            var panel = Figure(title: title, x: .logarithmic("compute (neuron-steps k·r_s)"), y: .logarithmic("population risk"))
            for (index, run) in selected.enumerated() {
                panel.add(Series(label: "r_s = \(run.job.width)", x: run.compute, y: run.risk, color: Palette.colors[index % Palette.colors.count]))
            }
            panel.add(Series(label: "frontier", x: frontier.envelopeCompute, y: frontier.envelopeRisk, color: "black", width: 2.5))
            if let window, let range = riskRange {
                let c0 = window.lowerBound / widest.job.learningRate * Double(widest.job.width)
                let c1 = window.upperBound / widest.job.learningRate * Double(widest.job.width) * 10
                panel.add(Series(label: String(format: "slope (1−2α)/α = %.2f", reference), x: [c0, c1],
                                 y: [range.upperBound, range.upperBound * pow(c1 / c0, reference)], color: "gray", style: .dashed, width: 2))
            }
            if activation == .relu { reluPanels.append(panel) } else { he2Panels.append(panel) }

            if activation == .relu {
                var degreePanel = Figure(title: String(format: "α = %.2f, ReLU, r_s = %d: risk by Hermite degree", alpha, widest.job.width),
                                         x: .logarithmic("t = η·k"), y: .logarithmic("risk", range: 1e-9...10))
                let parts = widest.degrees.map { $0! }
                for k in widest.times.indices {
                    degreeRows.append(["\(alpha)", "\(widest.job.width)", "\(widest.times[k])", "\(widest.compute[k])", "\(widest.risk[k])",
                                       "\(parts[k].he0)", "\(parts[k].he1)", "\(parts[k].he2)", "\(parts[k].higher)"])
                }
                let floor = 1e-12
                degreePanel.add(Series(label: "R", x: widest.times, y: widest.risk, color: "black", width: 2.5))
                degreePanel.add(Series(label: "R_He0", x: widest.times, y: parts.map { max($0.he0, floor) }, color: Palette.colors[0]))
                degreePanel.add(Series(label: "R_He1", x: widest.times, y: parts.map { max($0.he1, floor) }, color: Palette.colors[1]))
                degreePanel.add(Series(label: "R_He2", x: widest.times, y: parts.map { max($0.he2, floor) }, color: Palette.colors[2]))
                degreePanel.add(Series(label: "R_≥3", x: widest.times, y: parts.map { max($0.higher, floor) }, color: Palette.colors[3]))
                degreePanels.append(degreePanel)
                // How the degrees decay over the fit window.
                if let window {
                    let he2Slope = slope(widest.times, parts.map(\.he2), window: window)
                    let higherSlope = slope(widest.times, parts.map(\.higher), window: window)
                    summary.append(String(format: "    ReLU degree split over the window: R_He2 slope %@, R_≥3 slope %@; at T_2 R_≥3/R = %.2f, at the end %.2f",
                                          format(he2Slope), format(higherSlope),
                                          parts[widest.times.firstIndex { $0 >= window.lowerBound }!].higher / widest.risk[widest.times.firstIndex { $0 >= window.lowerBound }!],
                                          parts.last!.higher / widest.risk.last!))
                }
            }
        }
    }
    summary.forEach(example.say)
    let longest = runs.max { $0.seconds < $1.seconds }!
    example.say(String(format: "longest run: %@ α = %.2f r_s = %d, %d steps, %.1f s", longest.job.activation.name, longest.job.alpha,
                       longest.job.width, longest.job.steps, longest.seconds))

    example.writeCSV("curves.csv", header: ["activation", "alpha", "rs", "eta", "step", "t", "compute", "risk", "he0", "he1", "he2", "higher"],
                     rows: curveRows)
    example.writeCSV("frontier.csv", header: ["activation", "alpha", "compute", "risk", "rs"], rows: frontierRows)
    example.writeCSV("slopes.csv", header: ["alpha", "activation", "eta", "rs", "windowStart", "windowEnd", "fittedSlope", "sequentialSlope",
                                            "frontierSlope", "referenceSlope", "frontierReferenceSlope"], rows: slopeRows)
    example.writeCSV("degrees.csv", header: ["alpha", "rs", "t", "compute", "risk", "he0", "he1", "he2", "higher"], rows: degreeRows)
    example.write(try FigureGrid(columns: 3, panels: reluPanels,
                                 title: "Figure 4: ReLU, population gradient descent, r = \(r), d = 1e6, σ0 = 1e-3").render(),
                  to: "figure4.svg")
    example.write(try FigureGrid(columns: 3, panels: he2Panels, title: "The same runs with σ = He2 (the quadratic model)").render(),
                  to: "figure4_he2.svg")
    example.write(try FigureGrid(columns: 3, panels: degreePanels, title: "ReLU risk split by Hermite degree, widest student").render(),
                  to: "figure4_degrees.svg")
}
