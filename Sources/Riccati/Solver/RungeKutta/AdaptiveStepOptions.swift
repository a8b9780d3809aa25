import Foundation

/// The source-compatible name of ``AdaptiveStepOptions`` (they were Dormand–Prince 5(4)'s alone).
public typealias DormandPrinceOptions = AdaptiveStepOptions

/// Options of the adaptive Runge–Kutta integrator (any embedded pair: DOPRI5, DOP853, a user's
/// tableau). Defaults follow Hairer's `dopri5.f` for every pair (`dop853.f` itself would use
/// `beta = 0`, `minFactor = 0.333`, `maxFactor = 6`).
public struct AdaptiveStepOptions: Sendable, Equatable, Codable {
    /// Relative tolerance.
    public var relativeTolerance: Double = 1e-6
    /// Absolute tolerance.
    public var absoluteTolerance: Double = 1e-9
    /// First step; `nil` selects it by the heuristic of Hairer, Nørsett & Wanner (I, §II.4).
    public var initialStep: Double? = nil
    /// Largest step; `nil` means the whole interval.
    public var maxStep: Double? = nil
    /// Smallest step before the integration stops with ``IntegrationStatus/stepTooSmall``.
    /// Steps are also refused once `0.1·h ≤ |t|·ε` (Hairer's own test).
    public var minStep: Double = 0
    /// Maximum number of attempted steps (Hairer's `NMAX`).
    public var maxSteps: Int = 100_000

    /// The advice ending the message of an integration stopped by ``maxSteps``
    /// (``IntegrationStatus/maxStepsReached``), in the library's parameter names; a program with
    /// its own vocabulary (the `riccati` tool's flags) replaces it with its own.
    public static let stepLimitAdvice = "raise options.maxSteps or loosen options.relativeTolerance and options.absoluteTolerance"
    /// Safety factor of the step-size controller.
    public var safety: Double = 0.9
    /// Lund stabilisation (PI control) parameter `β`; `0` gives the classical controller.
    public var beta: Double = 0.04
    /// Bounds of the step-size ratio `h_new/h`.
    public var minFactor: Double = 0.2
    public var maxFactor: Double = 10
    /// Check for stiffness every this many accepted steps (Hairer's `NSTIFF`), for pairs that
    /// carry a ``StiffnessTest``.
    public var stiffnessCheckInterval: Int = 1000
    /// Stop with ``IntegrationStatus/probablyStiff`` when stiffness is detected, rather than
    /// only reporting it in the message (the default).
    public var abortWhenStiff = false
    /// Keep the continuous extension of every step, so that ``Solution/state(at:)`` interpolates
    /// instead of re-integrating. Costs `q·n` doubles per accepted step (`q = 5` for DOPRI5, 8 for
    /// DOP853), and for DOP853 three more right-hand-side evaluations per step.
    public var storeDenseOutput = false

    public init(relativeTolerance: Double = 1e-6, absoluteTolerance: Double = 1e-9) {
        self.relativeTolerance = relativeTolerance
        self.absoluteTolerance = absoluteTolerance
    }

    /// Throws ``RiccatiError/invalidParameter(name:value:reason:)`` naming the first option out of its domain.
    func validate() throws(RiccatiError) {
        func positive(_ value: Double, _ name: String) throws(RiccatiError) {
            guard value.isFinite, value > 0 else { throw .invalid("options.\(name)", value, "must be finite and > 0") }
        }
        try positive(relativeTolerance, "relativeTolerance")
        guard relativeTolerance < 1 else { throw .invalid("options.relativeTolerance", relativeTolerance, "must be below 1") }
        try positive(absoluteTolerance, "absoluteTolerance")
        if let h = initialStep { try positive(h, "initialStep") }
        if let h = maxStep { try positive(h, "maxStep") }
        guard minStep.isFinite, minStep >= 0 else { throw .invalid("options.minStep", minStep, "must be finite and ≥ 0") }
        guard maxSteps >= 1 else { throw .invalid("options.maxSteps", maxSteps, "must be ≥ 1") }
        guard safety > 0, safety < 1 else { throw .invalid("options.safety", safety, "must lie in (0, 1)") }
        guard beta >= 0, beta <= 0.2 else { throw .invalid("options.beta", beta, "must lie in [0, 0.2]") }
        guard minFactor > 0, minFactor < 1 else { throw .invalid("options.minFactor", minFactor, "must lie in (0, 1)") }
        guard maxFactor > 1, maxFactor.isFinite else { throw .invalid("options.maxFactor", maxFactor, "must be finite and > 1") }
        guard stiffnessCheckInterval >= 1 else { throw .invalid("options.stiffnessCheckInterval", stiffnessCheckInterval, "must be ≥ 1") }
    }
}
