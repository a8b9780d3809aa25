import Riccati

/// The comparison principle (MODEL.md): `Q0 ⪯ Q0'` implies `Q(t) ⪯ Q'(t)` for all `t ≥ 0`.
public enum ComparisonPrinciple {
    /// The relative tolerance used for `method` unless one is given: `1e-10` for the exact
    /// propagator, `max(1e-10, 10·rtol)` for Dormand–Prince and `1e-6` for RK4 (whose error
    /// depends on the step), so that integration error is not read as a violation.
    public static func defaultTolerance(for method: IntegrationMethod) -> Double {
        switch method {
        case .exact: return LoewnerOrder.defaultRelativeTolerance
        case .dormandPrince(let options), .dormandPrince853(let options), .rungeKutta(_, nil, let options):
            return Swift.max(LoewnerOrder.defaultRelativeTolerance, 10 * options.relativeTolerance)
        case .rungeKutta4, .rungeKutta: return 1e-6
        }
    }

    /// Integrates both initial conditions with each method and compares `G` at every save time.
    public static func run(
        spectrum: TeacherSpectrum, initialState: OverlapState, perturbation: OrderedPerturbation,
        finalTime: Double, saveTimes: [Double], methods: [IntegrationMethod], relativeTolerance: Double? = nil
    ) throws(RiccatiError) -> [ComparisonPrincipleRun] {
        let upperState = try perturbation.apply(to: initialState)
        let lowerProblem = try OverlapProblem(spectrum: spectrum, initialState: initialState, finalTime: finalTime, saveTimes: saveTimes)
        let upperProblem = try OverlapProblem(spectrum: spectrum, initialState: upperState, finalTime: finalTime, saveTimes: saveTimes)
        var runs: [ComparisonPrincipleRun] = []
        for method in methods {
            let lower = try solve(lowerProblem, method: method)
            let upper = try solve(upperProblem, method: method)
            for (which, solution) in [("lower", lower), ("upper", upper)] where !solution.status.isSuccess {
                throw .integrationFailed(status: solution.status, time: solution.times.last ?? 0,
                                         message: "the \(method.name) integration of the \(which) trajectory failed: \(solution.message)")
            }
            let comparison = try TrajectoryComparison.compare(
                lower, upper, observable: .signalGram, relativeTolerance: relativeTolerance ?? defaultTolerance(for: method))
            runs.append(ComparisonPrincipleRun(method: method, lower: lower, upper: upper, comparison: comparison))
        }
        return runs
    }
}
