/// Iterates the one-step map of a discrete effective dynamics: step `k` ends at `t = t₀ + k·step`.
///
/// The state exists on the time grid only: save times and the final time lie on it (as
/// ``OverlapProblem`` ensures), and ``interpolate(at:into:)`` returns the two ends of the last
/// step and refuses anything in between.
final class StepMapStepper: TimeStepper {
    let map: StepMap
    let step: Double
    let dimension: Int
    private let current: ScratchBuffer
    private let previous: ScratchBuffer
    private var startTime = 0.0
    private var stepsTaken = 0
    private(set) var time = 0.0
    private(set) var previousTime = 0.0
    var statistics = IntegrationStatistics()
    let landsOnSaveTimes = true
    let advisory: String? = nil

    init(map: StepMap, step: Double) {
        self.map = map
        self.step = step
        dimension = map.dimension
        current = ScratchBuffer(count: dimension)
        previous = ScratchBuffer(count: dimension)
    }

    var state: UnsafeMutablePointer<Double> { current.pointer }

    func start(time: Double, state: UnsafePointer<Double>, finalTime: Double) throws {
        startTime = time
        stepsTaken = 0
        self.time = time
        previousTime = time
        current.copy(from: state)
        previous.copy(from: state)
    }

    /// One application of the map. `limit` is a grid time (a save time or the final time), so a
    /// whole step never passes it.
    func advance(toAtMost limit: Double) throws {
        previous.copy(from: current.pointer)
        map.apply(state: previous.pointer, next: current.pointer)
        stepsTaken += 1
        statistics.acceptedSteps += 1
        previousTime = time
        // Times from the step count, so that they land exactly on the grid `k·step`.
        time = startTime + Double(stepsTaken) * step
        if abs(time - limit) <= 1e-9 * Swift.max(abs(limit), step) { time = limit }
        guard current.isFinite(bound: FixedStepRungeKuttaStepper.divergenceBound) else {
            throw StepFailure(
                status: .nonFiniteState,
                message: "the map diverged (a state entry beyond ±\(FixedStepRungeKuttaStepper.divergenceBound) or not finite) at t = \(time) (step \(stepsTaken) of length \(step)); a smaller step (learning rate) keeps it stable")
        }
    }

    func interpolate(at t: Double, into output: UnsafeMutablePointer<Double>) throws {
        if t == time { output.update(from: current.pointer, count: dimension); return }
        if t == previousTime { output.update(from: previous.pointer, count: dimension); return }
        throw RiccatiError.invalid("t", t, "must lie on the time grid of the map (multiples of \(step)): a discrete dynamics has no state between its steps")
    }
}
