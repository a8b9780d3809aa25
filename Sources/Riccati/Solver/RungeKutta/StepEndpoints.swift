/// The bookkeeping every Runge–Kutta stepper shares: the states at both ends of the last accepted
/// step, their times, and the step's length.
///
/// A step writes its trial result into ``trial`` (the buffer that holds the previous state
/// between steps) and ``accept(step:limit:)`` swaps the two buffers, so no state is copied.
final class StepEndpoints {
    let dimension: Int
    /// The state at ``time``.
    private(set) var current: ScratchBuffer
    /// The state at ``previousTime`` between steps; a step's trial result while it is computed.
    private(set) var previous: ScratchBuffer
    /// Time at the end of the last accepted step.
    private(set) var time = 0.0
    /// Time at the start of the last accepted step.
    private(set) var previousTime = 0.0
    /// The length of the last accepted step.
    private(set) var lastStepSize = 0.0

    init(dimension: Int) {
        self.dimension = dimension
        current = ScratchBuffer(count: dimension)
        previous = ScratchBuffer(count: dimension)
    }

    /// Where a step writes `y_new` before it is accepted.
    var trial: UnsafeMutablePointer<Double> { previous.pointer }

    func start(time: Double, state: UnsafePointer<Double>) {
        self.time = time
        previousTime = time
        lastStepSize = 0
        current.copy(from: state)
        previous.copy(from: state)
    }

    /// Makes ``trial`` the current state after a step of length `h` taken towards `limit`; a step
    /// of exactly `limit − time` ends exactly on `limit`.
    func accept(step h: Double, limit: Double) {
        Swift.swap(&current, &previous)
        previousTime = time
        time = (h == limit - time) ? limit : time + h
        lastStepSize = h
    }

    /// Copies the state at `t` into `output` when `t` is one of the step's ends (no arithmetic);
    /// returns whether it did.
    func copyEndpoint(at t: Double, into output: UnsafeMutablePointer<Double>) -> Bool {
        if t == time { output.update(from: current.pointer, count: dimension); return true }
        if t == previousTime { output.update(from: previous.pointer, count: dimension); return true }
        return false
    }
}
