import Riccati

/// The comparison principle (MODEL.md): `Q0 ⪯ Q0'` implies `Q(t) ⪯ Q'(t)` for all `t ≥ 0`.
public enum ComparisonPrinciple {
    /// The relative tolerance used for `method` unless one is given: `1e-10` for the exact
    /// propagator, `max(1e-10, 10·rtol)` for Dormand–Prince, ROCK and `auto`, and `1e-6` for RK4 (whose error
    /// depends on the step), so that integration error is not read as a violation.
    public static func defaultTolerance(for method: IntegrationMethod) -> Double {
        switch method {
        case .exact: return LoewnerOrder.defaultRelativeTolerance
        case .dormandPrince(let options), .dormandPrince853(let options), .rungeKutta(_, nil, let options):
            return Swift.max(LoewnerOrder.defaultRelativeTolerance, 10 * options.relativeTolerance)
        case .rock2(let options), .rock4(let options):
            return Swift.max(LoewnerOrder.defaultRelativeTolerance, 10 * options.relativeTolerance)
        case .automatic(let options):
            return Swift.max(LoewnerOrder.defaultRelativeTolerance, 10 * options.relativeTolerance)
        case .rungeKutta4, .rungeKutta: return 1e-6
        }
    }

    /// Integrates both initial conditions with each method and compares `G` at every save time.
    ///
    /// `shouldStop` is asked after every integration step. When it says yes, the method
    /// running compares its two trajectories over the save times both reached (its solutions
    /// keep status `IntegrationStatus.interrupted`), no further method starts, and the runs so
    /// far are returned: ``interrupted(_:methods:)`` then says yes. The first method always runs
    /// (stopped after its first step at the latest), so the result is empty only when it was
    /// stopped before the first save time (saves at `t = 0` are made before any step).
    public static func run(
        spectrum: TeacherSpectrum, initialState: OverlapState, perturbation: OrderedPerturbation,
        finalTime: Double, saveTimes: [Double], methods: [IntegrationMethod], relativeTolerance: Double? = nil,
        shouldStop: (() -> Bool)? = nil
    ) throws(RiccatiError) -> [ComparisonPrincipleRun] {
        let upperState = try perturbation.apply(to: initialState)
        let lowerProblem = try OverlapProblem(spectrum: spectrum, initialState: initialState, finalTime: finalTime, saveTimes: saveTimes)
        let upperProblem = try OverlapProblem(spectrum: spectrum, initialState: upperState, finalTime: finalTime, saveTimes: saveTimes)
        var runs: [ComparisonPrincipleRun] = []
        for method in methods {
            if !runs.isEmpty, let shouldStop, shouldStop() { break }
            var lower = try solve(lowerProblem, method: method, shouldStop: shouldStop)
            var upper = try solve(upperProblem, method: method, shouldStop: shouldStop)
            let stopped = lower.status == .interrupted || upper.status == .interrupted
            if stopped {
                let common = Swift.min(lower.times.count, upper.times.count)
                if common == 0 { break }   // stopped before the first save time
                lower = lower.prefix(saves: common)
                upper = upper.prefix(saves: common)
            }
            for (which, solution) in [("lower", lower), ("upper", upper)] where !solution.status.isSuccess && solution.status != .interrupted {
                throw .integrationFailed(status: solution.status, time: solution.times.last ?? 0,
                                         message: "the \(method.name) integration of the \(which) trajectory failed: \(solution.message)")
            }
            let comparison = try TrajectoryComparison.compare(
                lower, upper, observable: .signalGram, relativeTolerance: relativeTolerance ?? defaultTolerance(for: method))
            runs.append(ComparisonPrincipleRun(method: method, lower: lower, upper: upper, comparison: comparison))
            if stopped { break }
        }
        return runs
    }

    /// Whether ``run(spectrum:initialState:perturbation:finalTime:saveTimes:methods:relativeTolerance:shouldStop:)``
    /// was stopped early: a run's integration was interrupted, or fewer runs than `methods`.
    public static func interrupted(_ runs: [ComparisonPrincipleRun], methods: Int) -> Bool {
        runs.count < methods || runs.contains { $0.lower.status == .interrupted || $0.upper.status == .interrupted }
    }
}
