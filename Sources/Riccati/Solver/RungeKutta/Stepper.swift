/// A fixed array of pointers to stage vectors, allocated once.
final class ScratchPointers {
    let pointer: UnsafeMutablePointer<UnsafePointer<Double>>

    init(count: Int) {
        let placeholder = UnsafeMutablePointer<Double>.allocate(capacity: 1)
        placeholder.initialize(to: 0)
        pointer = .allocate(capacity: Swift.max(count, 1))
        pointer.initialize(repeating: UnsafePointer(placeholder), count: Swift.max(count, 1))
        self.placeholder = placeholder
    }

    private let placeholder: UnsafeMutablePointer<Double>

    deinit {
        pointer.deallocate()
        placeholder.deallocate()
    }
}

/// A fixed-size block of `Double`s owned by a stepper or a vector field, allocated once.
///
/// Steppers keep their stage vectors in these so that a step never allocates.
final class ScratchBuffer {
    let count: Int
    let pointer: UnsafeMutablePointer<Double>

    init(count: Int) {
        self.count = count
        // Cache-line aligned, so that vector loops over equal ranges of different buffers line up.
        pointer = UnsafeMutableRawPointer.allocate(byteCount: Swift.max(count, 1) * MemoryLayout<Double>.stride, alignment: 64)
            .bindMemory(to: Double.self, capacity: Swift.max(count, 1))
        pointer.initialize(repeating: 0, count: Swift.max(count, 1))
    }

    deinit { pointer.deallocate() }

    func copy(from source: UnsafePointer<Double>) { pointer.update(from: source, count: count) }
    var array: [Double] { Array(UnsafeBufferPointer(start: pointer, count: count)) }
    /// Whether every entry is finite. `x·0` is `0` for finite `x` and NaN for ±∞ or NaN, so the
    /// sum of those products is `0` exactly when every entry is finite; unlike an early-exit
    /// loop of `isFinite` tests, this loop vectorises (it runs after every step).
    var isFinite: Bool {
        var probe = 0.0
        for index in 0..<count { probe += pointer[index] * 0 }
        return probe == 0
    }

    /// Whether every entry is finite and at most `bound` in magnitude. `|x| ≤ bound` is false
    /// for NaN and ±∞ as well, so one branch-free counting loop (it vectorises) checks both.
    func isFinite(bound: Double) -> Bool {
        var outside = 0
        for index in 0..<count { outside &+= Swift.abs(pointer[index]) <= bound ? 0 : 1 }
        return outside == 0
    }
}

/// Why a step could not be taken.
struct StepFailure: Error {
    var status: IntegrationStatus
    var message: String

    /// An accepted step of the adaptive method `name` left an entry non-finite or beyond
    /// ``FixedStepRungeKuttaStepper/divergenceBound`` at `time`.
    static func diverged(_ name: String, at time: Double) -> StepFailure {
        StepFailure(status: .nonFiniteState,
                    message: "\(name) diverged (a state entry beyond ±\(FixedStepRungeKuttaStepper.divergenceBound) or not finite) at t = \(time)")
    }
}

/// One time-stepping scheme, as seen by ``IntegrationDriver``: it advances a flat state one
/// accepted step at a time and can reproduce the state anywhere inside its last step.
protocol TimeStepper: AnyObject {
    var dimension: Int { get }
    /// Time at the end of the last accepted step (the current time).
    var time: Double { get }
    /// Time at the start of the last accepted step.
    var previousTime: Double { get }
    /// The current state (length ``dimension``).
    var state: UnsafeMutablePointer<Double> { get }
    var statistics: IntegrationStatistics { get }
    /// `true` when the stepper shortens its steps to end exactly on save times (fixed-step and
    /// exact methods); `false` when save times are interpolated (adaptive Runge–Kutta pairs).
    var landsOnSaveTimes: Bool { get }
    /// A note on a recoverable event (e.g. stiffness suspected) to append to the final message.
    var advisory: String? { get }

    func start(time: Double, state: UnsafePointer<Double>, finalTime: Double) throws
    /// Takes one accepted step that ends no later than `limit` (and exactly at `limit` when the
    /// step would otherwise pass it). Throws ``StepFailure`` when it cannot.
    func advance(toAtMost limit: Double) throws
    /// Writes the state at `t ∈ [previousTime, time]` into `output` (which must not be ``state``).
    func interpolate(at t: Double, into output: UnsafeMutablePointer<Double>) throws
    /// The continuous extensions of the accepted steps, kept when the method was asked to store
    /// them (``AdaptiveStepOptions/storeDenseOutput``); empty otherwise.
    var denseOutputSegments: [DenseOutputSegment] { get }
}

extension TimeStepper {
    var denseOutputSegments: [DenseOutputSegment] { [] }
}

extension TimeStepper {
    /// The step that ends exactly on `limit` when `proposed` would reach or barely miss it
    /// (within a relative 1e-10), so no sliver steps are taken before a save time.
    func clippedStep(_ proposed: Double, toward limit: Double) -> Double {
        let remaining = limit - time
        if proposed >= remaining * (1 - 1e-10) { return remaining }
        return proposed
    }
}
