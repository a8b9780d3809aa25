import LinearAlgebra

/// An initial-value problem for an effective dynamics on `[0, finalTime]`: the dynamics, the
/// initial overlaps `(M0, P0)`, and the times at which states and observables are recorded.
public struct OverlapProblem: Sendable {
    /// How the overlaps move (``QuadraticGradientFlow`` unless another dynamics is given).
    public let dynamics: any EffectiveDynamics
    public let initialState: OverlapState
    public let finalTime: Double
    /// Strictly increasing times in `[0, finalTime]` at which states and observables are recorded.
    /// For a discrete dynamics they are multiples of its step (snapped to `k·step` exactly).
    public let saveTimes: [Double]

    /// Validates the shapes (`M0` is `r_s×r` with `r = λ.count` and `r_s` the dynamics' width),
    /// `P0 ⪰ 0`, the final time and the save times. For a discrete dynamics with step `η` the final
    /// time and every save time must be whole multiples `k·η` (to a relative 1e-9; they are stored
    /// as `Double(k)·η`), and at most ``maximumFixedSteps`` steps long.
    public init(dynamics: any EffectiveDynamics, initialState: OverlapState, finalTime: Double, saveTimes: [Double]) throws(RiccatiError) {
        guard initialState.teacherWidth == dynamics.spectrum.count else {
            throw .incompatibleParameters(names: ["initialState.overlap", "spectrum"],
                                          reason: "M0 has \(initialState.teacherWidth) columns but λ has r = \(dynamics.spectrum.count) entries")
        }
        guard initialState.studentWidth == dynamics.studentWidth else {
            throw .incompatibleParameters(names: ["initialState.overlap", "studentWidth"],
                                          reason: "M0 has \(initialState.studentWidth) rows but the dynamics has r_s = \(dynamics.studentWidth)")
        }
        try initialState.validatePositiveSemidefinite()
        try validateTimes(finalTime: finalTime, saveTimes: saveTimes)
        self.dynamics = dynamics
        self.initialState = initialState
        if let step = dynamics.timeEvolution.step {
            self.finalTime = try Self.gridTime(finalTime, step: step, name: "finalTime")
            var snapped: [Double] = []
            snapped.reserveCapacity(saveTimes.count)
            for (index, t) in saveTimes.enumerated() { snapped.append(try Self.gridTime(t, step: step, name: "saveTimes[\(index)]")) }
            self.saveTimes = snapped
        } else {
            self.finalTime = finalTime
            self.saveTimes = saveTimes
        }
    }

    /// A problem for the quadratic model's gradient flow (``QuadraticGradientFlow``).
    public init(spectrum: TeacherSpectrum, initialState: OverlapState, finalTime: Double, saveTimes: [Double]) throws(RiccatiError) {
        try self.init(dynamics: try QuadraticGradientFlow(spectrum: spectrum, studentWidth: initialState.studentWidth),
                      initialState: initialState, finalTime: finalTime, saveTimes: saveTimes)
    }

    public var spectrum: TeacherSpectrum { dynamics.spectrum }
    public var studentWidth: Int { initialState.studentWidth }
    public var teacherWidth: Int { spectrum.count }

    /// `t` as `Double(k)·step` when `t/step` is within a relative 1e-9 of a whole number `k`.
    static func gridTime(_ t: Double, step: Double, name: String) throws(RiccatiError) -> Double {
        let steps = t / step
        guard steps <= maximumFixedSteps else {
            throw .exceedsLimit(names: [name, "learningRate"],
                                reason: "t = \(t) is \(steps) steps of \(step), more than \(Int(maximumFixedSteps))")
        }
        let whole = steps.rounded()
        guard abs(steps - whole) <= 1e-9 * Swift.max(1, whole) else {
            throw .invalid(name, t, "must be a whole multiple of the dynamics' time step \(step) (t = step × k after k steps)")
        }
        return whole * step
    }
}
