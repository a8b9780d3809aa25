import Riccati

/// The integration of an effective dynamics from an SGD run's `(M0, P0)` at its recorded times,
/// shared by ``ODEComparison`` and ``SeedEnsembleComparison``.
enum OverlapPrediction {
    /// `dynamics` solved with `method` from `initial` at `times` (`times[0] = 0`, increasing, ending
    /// at the horizon). Parameter refusals keep their structure; run-time failures become
    /// ``SGDError/odeFailed(_:)``. A solution that stopped early is returned as it is.
    static func solve(_ dynamics: any EffectiveDynamics, method: IntegrationMethod?, from initial: OverlapState, at times: [Double],
                      shouldStop: (() -> Bool)?) throws(SGDError) -> Solution {
        do {
            let problem = try OverlapProblem(dynamics: dynamics, initialState: initial,
                                             finalTime: Swift.max(times.last ?? 0, .leastNormalMagnitude), saveTimes: times)
            return try Riccati.solve(problem, method: method, shouldStop: shouldStop)
        } catch {
            // The SGD run's own states and times make the problem; a refusal is kept structured.
            throw SGDError(parameterError: error) ?? .odeFailed(error)
        }
    }
}
