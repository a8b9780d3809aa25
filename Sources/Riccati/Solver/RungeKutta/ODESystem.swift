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
    /// A stabilised method (ROCK2, ROCK4) found the Jacobian's dominant eigenvalue away from the
    /// negative real axis, outside the methods' design: its power iteration did not settle, or
    /// settled on a direction the Jacobian turns, with a step that would leave the stable strip.
    case spectrumNotReal

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
    /// Stabilised methods (ROCK2, ROCK4, and `auto` while it uses them): the power iterations run
    /// to estimate the Jacobian's spectral radius (their evaluations are in ``rhsEvaluations``).
    public var spectralRadiusEstimates = 0
    /// The largest spectral-radius estimate (with its safety factor 1.2); 0 when none was made.
    public var largestSpectralRadius = 0.0
    /// The stages of all accepted stabilised steps, and the most in one step:
    /// ``stabilizedStages`` / ``stabilizedSteps`` is the mean number of stages per step.
    public var stabilizedStages = 0
    public var largestStageCount = 0
    /// Accepted steps taken by a stabilised method (all of ``acceptedSteps`` for ROCK2 and ROCK4,
    /// a part of them for `auto`).
    public var stabilizedSteps = 0
    /// For `auto`: the methods it used, each with the time it took over.
    public var phases: [IntegrationPhase] = []

    public init() {}

    private enum CodingKeys: String, CodingKey {
        case rhsEvaluations, acceptedSteps, rejectedSteps, eigendecompositions, solveSeconds
        case spectralRadiusEstimates, largestSpectralRadius, stabilizedStages, largestStageCount, stabilizedSteps, phases
    }

    /// Decodes statistics written before the stabilised methods existed as well (their counters 0).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        rhsEvaluations = try container.decode(Int.self, forKey: .rhsEvaluations)
        acceptedSteps = try container.decode(Int.self, forKey: .acceptedSteps)
        rejectedSteps = try container.decode(Int.self, forKey: .rejectedSteps)
        eigendecompositions = try container.decode(Int.self, forKey: .eigendecompositions)
        solveSeconds = try container.decode(Double.self, forKey: .solveSeconds)
        spectralRadiusEstimates = try container.decodeIfPresent(Int.self, forKey: .spectralRadiusEstimates) ?? 0
        largestSpectralRadius = try container.decodeIfPresent(Double.self, forKey: .largestSpectralRadius) ?? 0
        stabilizedStages = try container.decodeIfPresent(Int.self, forKey: .stabilizedStages) ?? 0
        largestStageCount = try container.decodeIfPresent(Int.self, forKey: .largestStageCount) ?? 0
        stabilizedSteps = try container.decodeIfPresent(Int.self, forKey: .stabilizedSteps) ?? 0
        phases = try container.decodeIfPresent([IntegrationPhase].self, forKey: .phases) ?? []
    }
}
