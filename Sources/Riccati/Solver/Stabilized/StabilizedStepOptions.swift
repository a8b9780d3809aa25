/// Options of the stabilised explicit methods (``IntegrationMethod/rock2(_:)``,
/// ``IntegrationMethod/rock4(_:)``).
///
/// The error control is the RMS norm of the embedded estimate with scale
/// `atol + rtol·max(|y_n|, |y_{n+1}|)`, as for Dormand–Prince. The step controller is
/// Gustafsson's predictive one (the smaller of the elementary proposal `safety·err^{−1/k}` and
/// the one that also uses the previous step's error and length, `k` = embedded order + 1), the
/// ratio kept in `[minFactor, maxFactor]` and at most 1 right after a rejection. The defaults are
/// this library's choices (measured on the overlap flows, see *Choosing an integrator*).
public struct StabilizedStepOptions: Sendable, Equatable, Codable {
    /// Relative tolerance.
    public var relativeTolerance: Double = 1e-6
    /// Absolute tolerance.
    public var absoluteTolerance: Double = 1e-9
    /// First step; `nil` selects it by the heuristic of Hairer, Nørsett & Wanner (I, §II.4) for
    /// the method's order, capped by the stability of the fewest stages.
    public var initialStep: Double? = nil
    /// Largest step; `nil` means the whole interval.
    public var maxStep: Double? = nil
    /// Maximum number of attempted steps.
    public var maxSteps: Int = 100_000
    /// The most stages of one step; `nil` means the method's largest (200 for ROCK2, 142 for
    /// ROCK4). A step that would need more is shortened.
    public var maxStages: Int? = nil
    /// Re-estimate the spectral radius after this many accepted steps (and after every
    /// rejection). Each estimate costs a few right-hand-side evaluations (a nonlinear power
    /// iteration started from the last dominant direction).
    public var spectralRadiusInterval: Int = 25
    /// An upper bound of the Jacobian's spectral radius, when known: no power iteration is run
    /// (``IntegrationStatistics/spectralRadiusEstimates`` stays 0).
    public var spectralRadius: Double? = nil
    /// Safety factor of the step-size controller.
    public var safety: Double = 0.8
    /// Bounds of the step-size ratio `h_new/h`.
    public var minFactor: Double = 0.1
    public var maxFactor: Double = 5

    public init(relativeTolerance: Double = 1e-6, absoluteTolerance: Double = 1e-9) {
        self.relativeTolerance = relativeTolerance
        self.absoluteTolerance = absoluteTolerance
    }

    /// The advice ending the message of an integration stopped by ``maxSteps``.
    public static let stepLimitAdvice = "raise options.maxSteps or loosen options.relativeTolerance and options.absoluteTolerance"

    /// Throws ``RiccatiError/invalidParameter(name:value:reason:)`` naming the first option out
    /// of its domain; `largestStages` is the method's own maximum.
    func validate(largestStages: Int, smallestStages: Int) throws(RiccatiError) {
        func positive(_ value: Double, _ name: String) throws(RiccatiError) {
            guard value.isFinite, value > 0 else { throw .invalid("options.\(name)", value, "must be finite and > 0") }
        }
        try positive(relativeTolerance, "relativeTolerance")
        guard relativeTolerance < 1 else { throw .invalid("options.relativeTolerance", relativeTolerance, "must be below 1") }
        try positive(absoluteTolerance, "absoluteTolerance")
        if let h = initialStep { try positive(h, "initialStep") }
        if let h = maxStep { try positive(h, "maxStep") }
        if let rho = spectralRadius {
            guard rho.isFinite, rho >= 0 else { throw .invalid("options.spectralRadius", rho, "must be finite and ≥ 0") }
        }
        guard maxSteps >= 1 else { throw .invalid("options.maxSteps", maxSteps, "must be ≥ 1") }
        if let stages = maxStages, !(smallestStages...largestStages).contains(stages) {
            throw .invalid("options.maxStages", stages, "must lie in [\(smallestStages), \(largestStages)]")
        }
        guard spectralRadiusInterval >= 1 else { throw .invalid("options.spectralRadiusInterval", spectralRadiusInterval, "must be ≥ 1") }
        guard safety > 0, safety < 1 else { throw .invalid("options.safety", safety, "must lie in (0, 1)") }
        guard minFactor > 0, minFactor < 1 else { throw .invalid("options.minFactor", minFactor, "must lie in (0, 1)") }
        guard maxFactor > 1, maxFactor.isFinite else { throw .invalid("options.maxFactor", maxFactor, "must be finite and > 1") }
    }
}
