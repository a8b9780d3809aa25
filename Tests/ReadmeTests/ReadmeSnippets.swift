// The Swift snippets of README.md, each as the body of a function between marker comments.
// `ReadmeSnippetTests` checks that every ```swift block of README.md equals one marked region here
// (up to indentation; its `import` lines must be imports of this file), and runs each function.
// Edit a snippet here and in README.md together.
import LinearAlgebra
import Monotonicity
import Riccati
import SGD

/// README snippet (a): the population ODE from code, with the exact propagator.
func integrateThePopulationODE() throws -> Solution {
    // README-SNIPPET-BEGIN integrate
    // Teacher λ_j = j^(-1), normalised to Σλ_j² = 1, r = 64 directions;
    // student of width r_s = 16, random start in dimension d = 1024.
    let spectrum = try TeacherSpectrum.powerLaw(exponent: 1, count: 64)
    let initial = try RandomInitialization(studentWidth: 16, teacherWidth: 64, dimension: 1024,
                                           sigma0: 1, seed: 0).sample()
    let problem = try OverlapProblem(spectrum: spectrum, initialState: initial, finalTime: 2000,
                                     saveTimes: try SaveTimes.logSpaced(count: 12, finalTime: 2000))
    let solution = try solve(problem, method: .exact(ExactPropagatorOptions()))
    print(solution.risk)                      // R(t) at the 12 save times
    print(solution.riskFloor)                 // 2 Σ_{j>16} λ_j², the best width 16 can do
    print(solution.escapeTimes[0] ?? .nan)    // first t with G_11 ≥ λ_1/2
    let g = try solution.state(at: 3.5).signalGram   // G = MᵀM at any time, not only saved ones
    print(g[0, 0])
    // README-SNIPPET-END
    return solution
}

/// README snippet (b): the comparison principle and the failure of monotonicity in time.
func verifyMonotonicity() throws -> (order: ComparisonPrincipleRun, inTime: TimeMonotonicity) {
    // README-SNIPPET-BEGIN monotonicity
    // The paper's Figure 3: λ = (2, 1), r_s = 2, a small start (P0 = 0) with G0 nearly
    // rank one along (1, 1). Trajectory B starts from Q0' = 1.25·Q0, above A in Loewner order.
    let spectrum = try TeacherSpectrum([2, 1])
    let start = try OverlapState(overlap: try Matrix([[0.01, 0.01], [0.01001, 0.00999]]))
    let runs = try ComparisonPrinciple.run(
        spectrum: spectrum, initialState: start, perturbation: .scaled(1.25), finalTime: 0.5,
        saveTimes: [0.0125, 0.025, 0.05, 0.1, 0.25, 0.5],
        methods: [.exact(ExactPropagatorOptions()), .dormandPrince(DormandPrinceOptions())])
    for run in runs {                 // G_A(t) ⪯ G_B(t) at every time, by both methods
        print(run.method.name, run.comparison.orderPreserved, run.comparison.minMargin)
    }
    // ... yet t ↦ G_A(t) is not Loewner-monotone: the order fails on the first interval.
    let inTime = try TimeMonotonicity.analyze(runs[0].lower)
    print(inTime.verdict, inTime.firstViolation?.eigenvalue ?? 0)
    // README-SNIPPET-END
    return (runs[0], inTime)
}

/// README snippet (c): online SGD on the full network against the ODE from the same start.
func compareSGDWithTheODE() throws -> ODEComparison {
    // README-SNIPPET-BEGIN sgd
    // d = 256, r = 8, r_s = 4, batch B = 1024, η = 0.005: 2400 steps reach t = ηk = 12.
    var configuration = SGDConfiguration(
        spectrum: try TeacherSpectrum.powerLaw(exponent: 1, count: 8), dimension: 256,
        studentWidth: 4, batchSize: 1024, learningRate: 0.005, steps: 2400)
    configuration.sigma0 = 0.3
    configuration.seed = 1
    configuration.saveSteps = Array(stride(from: 0, through: 2400, by: 100))
    let comparison = try ODEComparison.run(configuration, precision: Double.self)
    print(comparison.riskSGD.last!, comparison.riskODE.last!)
    print(comparison.maxRelativeDeviation)    // max_t |R_SGD − R_ODE| / R_ODE
    // README-SNIPPET-END
    return comparison
}
