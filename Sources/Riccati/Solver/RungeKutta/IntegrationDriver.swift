/// What the driver produced: the states at the save times reached, and how it ended.
struct DriverOutput {
    var times: [Double] = []
    var states: [[Double]] = []
    var status: IntegrationStatus = .success
    var message = ""
    var statistics = IntegrationStatistics()
}

/// The time loop shared by every method (scipy's `solve_ivp` driver, in spirit): it asks the
/// stepper for one accepted step at a time, lets `afterStep` look at it (event location), and
/// records the state at each save time, landing on it or interpolating as the stepper prefers.
enum IntegrationDriver {
    /// `saveTimes` must be sorted and lie in `[initialTime, finalTime]` (checked by callers).
    /// Step failures end the loop with their status; other errors propagate.
    static func run(
        stepper: TimeStepper, initialTime: Double, initialState: [Double], finalTime: Double,
        saveTimes: [Double], afterStep: ((TimeStepper) throws -> Void)? = nil,
        shouldStop: (() -> Bool)? = nil
    ) throws -> DriverOutput {
        var output = DriverOutput()
        let clock = ContinuousClock()
        let started = clock.now
        var nextSave = 0
        func record(_ t: Double, _ state: [Double]) {
            output.times.append(t)
            output.states.append(state)
        }
        while nextSave < saveTimes.count, saveTimes[nextSave] <= initialTime {
            record(saveTimes[nextSave], initialState)
            nextSave += 1
        }
        let scratch = ScratchBuffer(count: stepper.dimension)
        do {
            try initialState.withUnsafeBufferPointer { y0 in
                try stepper.start(time: initialTime, state: y0.baseAddress!, finalTime: finalTime)
            }
            while stepper.time < finalTime {
                var limit = finalTime
                if stepper.landsOnSaveTimes, nextSave < saveTimes.count { limit = Swift.min(saveTimes[nextSave], finalTime) }
                try stepper.advance(toAtMost: limit)
                try afterStep?(stepper)
                while nextSave < saveTimes.count, saveTimes[nextSave] <= stepper.time {
                    let t = saveTimes[nextSave]
                    if t == stepper.time {
                        record(t, Array(UnsafeBufferPointer(start: stepper.state, count: stepper.dimension)))
                    } else {
                        try stepper.interpolate(at: t, into: scratch.pointer)
                        record(t, scratch.array)
                    }
                    nextSave += 1
                }
                if stepper.time < finalTime, let shouldStop, shouldStop() {
                    throw StepFailure(status: .interrupted, message: "interrupted at t = \(stepper.time) of \(finalTime)")
                }
            }
            output.status = .success
            output.message = "reached t = \(finalTime)"
        } catch let failure as StepFailure {
            output.status = failure.status
            output.message = failure.message
        }
        if let advisory = stepper.advisory { output.message += "; \(advisory)" }
        output.statistics = stepper.statistics
        output.statistics.solveSeconds = (clock.now - started).seconds
        return output
    }
}

extension Duration {
    /// The duration in seconds as a `Double`.
    public var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) * 1e-18
    }
}

/// The solution of a general ``ODESystem`` at the requested save times.
public struct ODESolution: Sendable {
    public var times: [Double]
    /// `states[k]` is `y(times[k])`.
    public var states: [[Double]]
    public var status: IntegrationStatus
    public var message: String
    public var statistics: IntegrationStatistics
}

/// Integrates a general system `dy/dt = f(t, y)` from `t = 0` with a Runge–Kutta method (RK4,
/// DOPRI5, DOP853 or a tableau of one's own); the exact propagator exists only for the overlap
/// ODE (use ``solve(_:method:locateEscapes:threads:shouldStop:)``).
public func integrate(
    _ system: ODESystem, initialState: [Double], finalTime: Double, saveTimes: [Double],
    method: IntegrationMethod
) throws(RiccatiError) -> ODESolution {
    guard initialState.count == system.dimension else {
        throw .incompatibleParameters(names: ["initialState", "system.dimension"],
                                      reason: "initial state has \(initialState.count) entries, the system has dimension \(system.dimension)")
    }
    if let index = initialState.firstIndex(where: { !$0.isFinite }) {
        throw .invalid("initialState[\(index)]", initialState[index], "must be finite")
    }
    try validateTimes(finalTime: finalTime, saveTimes: saveTimes)
    let stepper = try method.makeStepper(system: system, executor: TwoLaneExecutor(concurrent: false))
    do {
        let output = try IntegrationDriver.run(stepper: stepper, initialTime: 0, initialState: initialState,
                                               finalTime: finalTime, saveTimes: saveTimes)
        return ODESolution(times: output.times, states: output.states, status: output.status,
                           message: output.message, statistics: output.statistics)
    } catch let error as RiccatiError {
        throw error
    } catch {
        throw .integrationFailed(status: .nonFiniteState, time: stepper.time, message: "\(error)")
    }
}

func validateTimes(finalTime: Double, saveTimes: [Double]) throws(RiccatiError) {
    guard finalTime.isFinite, finalTime > 0 else { throw .invalid("finalTime", finalTime, "must be finite and > 0") }
    for (index, t) in saveTimes.enumerated() {
        guard t.isFinite, t >= 0, t <= finalTime else {
            throw .invalid("saveTimes[\(index)]", t, "must be finite and lie in [0, finalTime = \(finalTime)]")
        }
        if index > 0, t <= saveTimes[index - 1] {
            throw .incompatibleParameters(names: ["saveTimes"], reason: "must be strictly increasing (\(saveTimes[index - 1]) then \(t))")
        }
    }
}
