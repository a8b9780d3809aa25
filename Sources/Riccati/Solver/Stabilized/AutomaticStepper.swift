import Foundation

/// `auto` (``IntegrationMethod/automatic(_:)``): dopri5 while the problem is not stiff, a
/// stabilised method while dopri5's steps are bound by its stability, switching at step
/// boundaries in either direction.
///
/// - **dopri5 → stabilised.** After every accepted dopri5 step Hairer's stiffness ratio
///   `h·‖f(y₇) − f(y₆)‖/‖y₇ − y₆‖` (an estimate of `h·|λ|` along the step's own error direction)
///   is computed from the stages already at hand. Once it has been at least
///   ``stiffnessThreshold`` on ``stiffStepsToConfirm`` consecutive steps, a power iteration
///   (``SpectralRadiusEstimator``) confirms that `h·ρ ≥` ``stiffnessThreshold`` with a dominant
///   eigenvalue near the negative real axis, and the next step is the stabilised method's. An
///   unconfirmed suspicion is not looked at again for ``confirmationBackoff`` steps. A problem that
///   never comes near dopri5's stability limit costs nothing beyond dopri5 itself.
/// - **stabilised → dopri5.** dopri5 takes over again when the stabilised method costs more:
///   when its evaluations per unit time since it took over exceed 1.1 times dopri5's over the
///   stiff steps before the switch (judged from ``stepsBeforeComparing`` steps on), or when its
///   steps cost more than dopri5's would at its stability limit (`s/(h·|λ|) > 1.2 · 6/3.3` on
///   ``expensiveStepsToSwitchBack`` consecutive steps: the step is bound by accuracy, not
///   stability). Each such return doubles the number of dopri5 steps before stiffness is looked at
///   again (from ``confirmationBackoff``), so the methods cannot alternate at every step. A
///   stabilised method that meets a spectrum outside its design
///   (``IntegrationStatus/spectrumNotReal``) hands over to dopri5 for the rest of the integration,
///   and the final message says so.
///
/// The methods used, with the times they took over, are in ``IntegrationStatistics/phases``.
final class AutomaticStepper: TimeStepper {
    static let stiffnessThreshold = 2.0
    static let stiffStepsToConfirm = 10
    static let confirmationBackoff = 50
    static let expensiveStepsToSwitchBack = 10
    static let stepsBeforeComparing = 20
    /// DOPRI5's stability interval on the negative real axis and its stages per step.
    static let dormandPrinceStabilityLimit = 3.3
    static let dormandPrinceStages = 6.0

    let dimension: Int
    let system: ODESystem
    private let explicit: AdaptiveRungeKuttaStepper
    private let stabilized: StabilizedRungeKuttaStepper
    private let stabilizedName: String
    private let estimator: SpectralRadiusEstimator
    private let slope: ScratchBuffer
    private var usesStabilized = false
    private var switchIsPending = false
    private var stabilizedExcluded = false
    private var stiffSteps = 0
    private var backoff = 0
    /// The back-off after the next return from the stabilised method (doubles each time).
    private var nextBackoff = AutomaticStepper.confirmationBackoff
    /// Where the current stiff streak of dopri5 began (time, evaluations), and dopri5's
    /// evaluations per unit time over it when the switch was made.
    private var streakStart = (time: 0.0, evaluations: 0)
    private var explicitRate = Double.infinity
    /// Where the stabilised phase began (time, evaluations) and its steps so far.
    private var phaseStart = (time: 0.0, evaluations: 0)
    private var phaseSteps = 0
    private var expensiveSteps = 0
    private var finalTime = 0.0
    private var phases: [IntegrationPhase] = []
    /// Evaluations of the confirming power iterations.
    private var ownStatistics = IntegrationStatistics()
    private(set) var advisory: String?
    /// The stabilised steps end on save times (dopri5 interpolates): true when the next step is
    /// the stabilised method's.
    var landsOnSaveTimes: Bool { usesStabilized != switchIsPending }

    init(system: ODESystem, options: AutomaticMethodOptions, executor: TwoLaneExecutor) throws(RiccatiError) {
        try options.validate()
        self.system = system
        dimension = system.dimension
        explicit = try AdaptiveRungeKuttaStepper(system: system, tableau: .dormandPrince54, options: options.dormandPrinceOptions,
                                                 executor: executor)
        explicit.monitorsStiffness = true
        let method = options.resolvedStabilizedMethod
        stabilizedName = method.rawValue
        stabilized = try StabilizedRungeKuttaStepper(system: system, tableau: method.tableau, options: options.stabilizedOptions,
                                                     executor: executor)
        estimator = SpectralRadiusEstimator(dimension: dimension)
        slope = ScratchBuffer(count: dimension)
    }

    private var active: TimeStepper { usesStabilized ? stabilized : explicit }
    var time: Double { active.time }
    var previousTime: Double { active.previousTime }
    var state: UnsafeMutablePointer<Double> { active.state }

    var statistics: IntegrationStatistics {
        var total = explicit.statistics
        for part in [stabilized.statistics, ownStatistics] {
            total.rhsEvaluations += part.rhsEvaluations
            total.acceptedSteps += part.acceptedSteps
            total.rejectedSteps += part.rejectedSteps
            total.spectralRadiusEstimates += part.spectralRadiusEstimates
            total.largestSpectralRadius = Swift.max(total.largestSpectralRadius, part.largestSpectralRadius)
            total.stabilizedStages += part.stabilizedStages
            total.largestStageCount = Swift.max(total.largestStageCount, part.largestStageCount)
            total.stabilizedSteps += part.stabilizedSteps
        }
        total.phases = phases
        return total
    }

    func start(time: Double, state: UnsafePointer<Double>, finalTime: Double) throws {
        self.finalTime = finalTime
        usesStabilized = false
        phases = [IntegrationPhase(startTime: time, method: "dopri5")]
        try explicit.start(time: time, state: state, finalTime: finalTime)
    }

    func advance(toAtMost limit: Double) throws {
        if switchIsPending {
            switchIsPending = false
            try switchMethod()
        }
        if usesStabilized {
            do {
                try stabilized.advance(toAtMost: limit)
            } catch let failure as StepFailure where failure.status == .spectrumNotReal {
                stabilizedExcluded = true
                advisory = "auto: \(failure.message); continued with dopri5 from t = \(stabilized.time)"
                try switchMethod()
                try explicit.advance(toAtMost: limit)
                return
            }
            inspectStabilizedStep()
        } else {
            try explicit.advance(toAtMost: limit)
            inspectExplicitStep()
        }
    }

    /// Counts stiff dopri5 steps and, after enough of them, confirms by a power iteration.
    private func inspectExplicitStep() {
        guard !stabilizedExcluded else { return }
        if backoff > 0 { backoff -= 1; return }
        guard let ratio = explicit.lastStiffnessRatio, ratio >= Self.stiffnessThreshold else {
            stiffSteps = 0
            return
        }
        if stiffSteps == 0 { streakStart = (explicit.previousTime, explicit.statistics.rhsEvaluations - 6) }
        stiffSteps += 1
        guard stiffSteps >= Self.stiffStepsToConfirm, explicit.currentSlope(into: slope.pointer) else { return }
        stiffSteps = 0
        let estimate = estimator.estimate(system: system, time: explicit.time, state: explicit.state, slope: slope.pointer,
                                          floor: 1 / Swift.max(finalTime, .leastNormalMagnitude))
        ownStatistics.rhsEvaluations += estimate.evaluations
        ownStatistics.spectralRadiusEstimates += 1
        let magnitude = estimate.radius / SpectralRadiusEstimator.safetyFactor
        if estimate.converged, estimate.imaginaryPart <= 0.42 * estimate.pairModulus, explicit.proposedStep * magnitude >= Self.stiffnessThreshold {
            let elapsed = explicit.time - streakStart.time
            explicitRate = elapsed > 0 ? Double(explicit.statistics.rhsEvaluations - streakStart.evaluations) / elapsed : .infinity
            switchIsPending = true
        } else {
            backoff = Self.confirmationBackoff
        }
    }

    /// Compares the stabilised method's cost with dopri5's, over its phase and step by step.
    private func inspectStabilizedStep() {
        phaseSteps += 1
        let elapsed = stabilized.time - phaseStart.time
        if phaseSteps >= Self.stepsBeforeComparing, elapsed > 0,
           Double(stabilized.statistics.rhsEvaluations - phaseStart.evaluations) / elapsed > 1.1 * explicitRate {
            switchIsPending = true
            return
        }
        let magnitude = stabilized.currentSpectralRadius / SpectralRadiusEstimator.safetyFactor
        let h = stabilized.time - stabilized.previousTime
        let dormandPrinceRate = Self.dormandPrinceStages * magnitude / Self.dormandPrinceStabilityLimit
        if h > 0, Double(stabilized.lastStageCount) / h > 1.2 * dormandPrinceRate {
            expensiveSteps += 1
            if expensiveSteps >= Self.expensiveStepsToSwitchBack { switchIsPending = true }
        } else {
            expensiveSteps = 0
        }
    }

    /// Hands the current state (and its slope) to the other method.
    private func switchMethod() throws {
        expensiveSteps = 0
        stiffSteps = 0
        if usesStabilized {
            let step = stabilized.proposedStep
            try explicit.start(time: stabilized.time, state: stabilized.state, finalTime: finalTime,
                               step: Swift.min(step, Self.dormandPrinceStabilityLimit / Swift.max(stabilized.currentSpectralRadius, .leastNormalMagnitude)))
            usesStabilized = false
            backoff = nextBackoff
            nextBackoff *= 2
            phases.append(IntegrationPhase(startTime: explicit.time, method: "dopri5"))
        } else {
            let hasSlope = explicit.currentSlope(into: slope.pointer)
            let evaluationsBefore = stabilized.statistics.rhsEvaluations
            do {
                try stabilized.start(time: explicit.time, state: explicit.state, finalTime: finalTime,
                                     slope: hasSlope ? UnsafePointer(slope.pointer) : nil, step: explicit.proposedStep)
            } catch let failure as StepFailure where failure.status == .spectrumNotReal {
                stabilizedExcluded = true
                advisory = "auto: \(failure.message); continued with dopri5"
                return
            }
            usesStabilized = true
            phaseStart = (stabilized.time, evaluationsBefore)
            phaseSteps = 0
            phases.append(IntegrationPhase(startTime: stabilized.time, method: stabilizedName))
        }
    }

    func interpolate(at t: Double, into output: UnsafeMutablePointer<Double>) throws {
        try active.interpolate(at: t, into: output)
    }
}
