/// A first-order system `dy/dt = f(t, y)` on a flat state vector of length ``dimension``.
///
/// Implementations evaluate `f` into a caller-provided buffer and must not allocate: the
/// integrators call ``evaluate(time:state:derivative:)`` inside their step loops. A system may
/// keep scratch buffers of its own, so it is a class and is not safe to share across threads.
public protocol ODESystem: AnyObject {
    /// The length of the state vector `y`.
    var dimension: Int { get }
    /// Writes `f(t, y)` into `derivative` (length ``dimension``). `state` and `derivative` never alias.
    func evaluate(time: Double, state: UnsafePointer<Double>, derivative: UnsafeMutablePointer<Double>)
    /// The two fixed parts of the state, as index ranges, in which the integrators do their
    /// vector arithmetic (on two threads when they are given a concurrent executor). A system
    /// that evaluates `f` in two parts itself should return the entries each of its parts
    /// computes, so that each thread keeps working on the same memory. Default: the two halves.
    var laneParts: [[Range<Int>]] { get }
}

extension ODESystem {
    public var laneParts: [[Range<Int>]] {
        let split = Swift.min(dimension, (dimension / 2 + 7) / 8 * 8)
        return [[0..<split], [split..<dimension]]
    }
}

/// How an integration ended. The raw values follow the spirit of Hairer's DOPRI5 `IDID`.
public enum IntegrationStatus: String, Sendable, Codable, Equatable {
    /// Reached the final time.
    case success
    /// Stopped after the maximum number of steps (DOPRI5: `IDID = -2`).
    case maxStepsReached
    /// The step size fell below the minimum (DOPRI5: `IDID = -3`).
    case stepTooSmall
    /// Stiffness was detected and the caller asked to abort on it (DOPRI5: `IDID = -4`).
    case probablyStiff
    /// The state became NaN or infinite.
    case nonFiniteState
    /// The caller asked the integration to stop (for instance on SIGINT); the saves reached so
    /// far are kept.
    case interrupted

    public var isSuccess: Bool { self == .success }
}

/// Work counters of one integration.
public struct IntegrationStatistics: Sendable, Equatable, Codable {
    /// Evaluations of the right-hand side `f` (0 for the exact propagator).
    public var rhsEvaluations = 0
    /// Accepted steps (for the exact propagator: closed-form steps taken, excluding those used
    /// only to locate events or to evaluate between saved states).
    public var acceptedSteps = 0
    /// Steps rejected by the error control (adaptive methods only).
    public var rejectedSteps = 0
    /// Symmetric eigendecompositions (exact propagator only).
    public var eigendecompositions = 0
    /// Wall-clock seconds spent in the solve, excluding input parsing and output.
    public var solveSeconds = 0.0

    public init() {}
}
