import Riccati

/// When a run records its state, turned into the steps of ``SGDConfiguration/saveSteps``.
///
/// Step `k` is time `t = ηk`, so a time `t ∈ [0, T]`, `T = ηK`, is recorded at the nearest step
/// `k = round(t/η)` (halfway cases away from zero), capped at `K` (``step(forTime:learningRate:steps:)``).
/// Times off the `η` grid therefore move by at most `η/2`; two times closer than that can land
/// on the same step, which the run records once.
public enum SGDSaveSchedule: Sendable, Equatable, Codable {
    /// The given times, each in `[0, T]` (a relative slack of `1e-12` above `T` for round-off).
    case times([Double])
    /// `count` times spaced geometrically over 4 decades up to `T` (`SaveTimes.logSpaced(count:finalTime:decades:)` of the Riccati module).
    case logSpaced(count: Int)
    /// The `count + 1` steps `round(jK/count)`, `j = 0 … count`.
    case uniform(count: Int)

    /// Largest `count` of ``logSpaced(count:)`` and ``uniform(count:)``.
    public static let maximumCount = 100_000

    /// The step recording time `t`: `min(K, round(t/η))`. `t/η` must be finite and `≥ 0`.
    public static func step(forTime t: Double, learningRate: Double, steps: Int) -> Int {
        Swift.min(steps, Int((t / learningRate).rounded()))
    }

    /// The save steps of a run of `steps` steps at `learningRate`, in the schedule's order
    /// (duplicates kept: the run records each step once). Throws for times outside `[0, T]`
    /// and counts outside `[1, maximumCount]`, naming `saveTimes` or `saveCount`; `learningRate`
    /// and `steps` are checked as ``SGDConfiguration/validate()`` checks them.
    public func saveSteps(learningRate: Double, steps: Int) throws(SGDError) -> [Int] {
        guard learningRate.isFinite, learningRate > 0 else {
            throw .invalidParameter(name: "learningRate", value: "\(learningRate)", reason: "must be finite and > 0")
        }
        guard steps >= 1, steps <= SGDConfiguration.maximumSteps else {
            throw .invalidParameter(name: "steps", value: "\(steps)", reason: "must lie in [1, 1e9]")
        }
        let horizon = Double(steps) * learningRate
        switch self {
        case .times(let times):
            for t in times where !(t.isFinite && t >= 0 && t <= horizon * (1 + 1e-12)) {
                throw .invalidParameter(name: "saveTimes", value: "\(t)", reason: "must lie in [0, T = η·steps = \(horizon)]")
            }
            return times.map { Self.step(forTime: $0, learningRate: learningRate, steps: steps) }
        case .logSpaced(let count):
            try Self.check(count: count)
            let times: [Double]
            do {
                times = try SaveTimes.logSpaced(count: count, finalTime: horizon)
            } catch {
                // Unreachable with the count and horizon checked above; kept structured regardless.
                throw SGDError(parameterError: error)
                    ?? .invalidParameter(name: "saveCount", value: "\(count)", reason: "gives no log-spaced times (\(error))")
            }
            return times.map { Self.step(forTime: $0, learningRate: learningRate, steps: steps) }
        case .uniform(let count):
            try Self.check(count: count)
            return (0...count).map { Int((Double($0) * Double(steps) / Double(count)).rounded()) }
        }
    }

    private static func check(count: Int) throws(SGDError) {
        guard count >= 1, count <= maximumCount else {
            throw .invalidParameter(name: "saveCount", value: "\(count)", reason: "must lie in [1, 100000]")
        }
    }
}

extension SGDConfiguration {
    /// ``saveSteps`` for `schedule` with this configuration's ``learningRate`` and ``steps``.
    public func saveSteps(for schedule: SGDSaveSchedule) throws(SGDError) -> [Int] {
        try schedule.saveSteps(learningRate: learningRate, steps: steps)
    }
}
