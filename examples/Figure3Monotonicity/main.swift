// Figure 3 of Ben Arous, Erdogdu, Vural & Wu (arXiv 2508.03688): λ = (2, 1), r_s = 2, d = 1024.
//
// 1. Comparison principle: G0 from a random initialisation (σ0 = 1) against 1.25·G0, integrated
//    with the exact propagator and with Dormand–Prince; the level-set ellipses at t = 0, 0.25, 0.5
//    nest (B inside A) and the order G_A ⪯ G_B holds at every saved time.
// 2. Time monotonicity fails in two ways (MODEL.md):
//    - σ0 = 2: the orthogonal part P0 ≈ 4I exceeds λ, so G_22 falls before it rises;
//    - a correlated small initialisation (G0 nearly rank one along (1, 1), P0 = 0): dG/dt(0) is
//      indefinite and the Loewner order in time fails from the first step.
//
// Usage: Figure3Monotonicity OUTPUT_DIR [--smoke]
// Writes ellipses.csv, entries.csv (σ0 = 1), entries_sigma2.csv, verdicts.csv and figure3.svg.
import Figures
import LinearAlgebra
import Monotonicity
import Riccati
import SVGPlot

let example = ExampleRun(name: "Figure3Monotonicity")
example.run {
    let spectrum = try TeacherSpectrum([2, 1])
    let finalTime = example.smoke ? 2.0 : 5.0
    let saveTimes = (0...(example.smoke ? 40 : 200)).map { finalTime * Double($0) / (example.smoke ? 40 : 200) }

    // 1. Comparison principle from a random initialisation.
    let initial = try RandomInitialization(studentWidth: 2, teacherWidth: 2, dimension: 1024, sigma0: 1, seed: 0).sample()
    let runs = try ComparisonPrinciple.run(
        spectrum: spectrum, initialState: initial, perturbation: .scaled(1.25), finalTime: finalTime, saveTimes: saveTimes,
        methods: [.exact(ExactPropagatorOptions()), .dormandPrince(DormandPrinceOptions())])
    let figure = try Figure3(lower: runs[0].lower, upper: runs[0].upper, ellipseTimes: [0, 0.25, 0.5])
    example.write(figure.ellipsesCSV, to: "ellipses.csv")
    example.write(figure.entriesCSV, to: "entries.csv")
    example.write(figure.svg, to: "figure3.svg")

    // 2a. σ0 = 2: entries fall, then rise.
    let large = try RandomInitialization(studentWidth: 2, teacherWidth: 2, dimension: 1024, sigma0: 2, seed: 0).sample()
    let largeSolution = try solve(try OverlapProblem(spectrum: spectrum, initialState: large, finalTime: finalTime, saveTimes: saveTimes),
                                  method: .exact(ExactPropagatorOptions()))
    let largeAnalysis = try TimeMonotonicity.analyze(largeSolution)
    example.writeCSV("entries_sigma2.csv", header: ["t", "G_11", "G_22", "G_12"], rows: largeSolution.states.enumerated().map { index, state in
        let g = state.signalGram
        return ["\(largeSolution.times[index])", "\(g[0, 0])", "\(g[1, 1])", "\(g[0, 1])"]
    })

    // 2b. Correlated small initialisation.
    let correlated = try OverlapState(overlap: try Matrix([[0.01, 0.01], [0.01001, 0.00999]]))
    let fineTimes = (0...40).map { 0.0125 * Double($0) }
    let correlatedSolution = try solve(try OverlapProblem(spectrum: spectrum, initialState: correlated, finalTime: 0.5, saveTimes: fineTimes),
                                       method: .exact(ExactPropagatorOptions()))
    let correlatedAnalysis = try TimeMonotonicity.analyze(correlatedSolution)

    func violation(_ analysis: TimeMonotonicity) -> [String] {
        [analysis.verdict.rawValue, analysis.firstViolation.map { "\($0.start)" } ?? "", analysis.firstViolation.map { "\($0.end)" } ?? ""]
    }
    let g22 = largeAnalysis.entries.first { $0.row == 1 && $0.column == 1 }
    var rows: [[String]] = []
    for run in runs {
        rows.append(["comparison 1.25·G0", run.method.name, "\(run.comparison.orderPreserved)", "\(run.comparison.minMargin)"]
                    + violation(try TimeMonotonicity.analyze(run.lower)) + [""])
    }
    example.writeCSV("verdicts.csv",
                     header: ["case", "method", "orderPreserved", "minMargin", "monotoneInTime", "firstViolationStart", "firstViolationEnd", "g22TurningTime"],
                     rows: rows + [
                         ["sigma0 = 2", "exact", "", ""] + violation(largeAnalysis) + ["\(g22?.turningPoints.first?.time ?? .nan)"],
                         ["correlated small init", "exact", "", ""] + violation(correlatedAnalysis) + [""],
                     ])
    for run in runs {
        example.say("comparison principle (\(run.method.name)): order \(run.comparison.orderPreserved ? "preserved" : "VIOLATED"), min margin \(run.comparison.minMargin)")
    }
    example.say("σ0 = 2: \(largeAnalysis.verdict.rawValue); " + (g22?.summary() ?? ""))
    example.say("correlated small init: \(correlatedAnalysis.verdict.rawValue), first violation on [\(correlatedAnalysis.firstViolation?.start ?? .nan), \(correlatedAnalysis.firstViolation?.end ?? .nan)]")
}
