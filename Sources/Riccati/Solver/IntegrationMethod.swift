import Foundation
import LinearAlgebra

/// The integrators. All return the same ``Solution``.
///
/// Every Runge–Kutta method is a ``ButcherTableau`` (data) run by one of two steppers: an
/// embedded pair adaptively, any tableau with a fixed step. The stabilised methods (ROCK2, ROCK4)
/// are their published recurrence and finishing coefficients (data too) run by one adaptive
/// stepper that chooses the stage count of each step; `auto` switches between dopri5 and one of
/// them (<doc:ChoosingAnIntegrator>).
public enum IntegrationMethod: Sendable, Equatable {
    /// Classical RK4 with a fixed step (shortened to land on save times).
    case rungeKutta4(step: Double)
    /// Adaptive Dormand–Prince 5(4) (Hairer's DOPRI5).
    case dormandPrince(DormandPrinceOptions = DormandPrinceOptions())
    /// Adaptive Dormand–Prince 8(5,3) (Hairer's DOP853), with its seventh-order dense output.
    case dormandPrince853(AdaptiveStepOptions = AdaptiveStepOptions())
    /// A Runge–Kutta method given by its tableau. Without a `step`, an embedded pair (a tableau
    /// with an ``ButcherTableau/errorEstimate``) runs adaptively with `options`; with a `step`,
    /// any tableau runs with that fixed step (shortened to land on save times) and `options` is
    /// not used. A tableau without an error estimate needs a `step`.
    case rungeKutta(ButcherTableau, step: Double? = nil, options: AdaptiveStepOptions = AdaptiveStepOptions())
    /// The closed-form propagator of the quadratic gradient flow: exact for every step, limited
    /// only by round-off.
    case exact(ExactPropagatorOptions = ExactPropagatorOptions())
    /// Abdulle's ROCK2: a second-order stabilised explicit method whose stage count (3 … 200)
    /// grows like `√(h·ρ)` with the Jacobian's spectral radius `ρ` (estimated by a power
    /// iteration). For stiff problems with a real spectrum (gradient flows).
    case rock2(StabilizedStepOptions = StabilizedStepOptions())
    /// Abdulle's ROCK4: the fourth-order member (5 … 142 stages), for tight tolerances.
    case rock4(StabilizedStepOptions = StabilizedStepOptions())
    /// dopri5 while the problem is not stiff and ROCK2 or ROCK4 while dopri5 would be bound by
    /// its stability (``AutomaticMethodOptions``); ``IntegrationStatistics/phases`` records which.
    case automatic(AutomaticMethodOptions = AutomaticMethodOptions())

    /// The name used in outputs: `rk4`, `dopri5`, `dop853`, `exact`, `rock2`, `rock4`, `auto`,
    /// or a user tableau's name.
    public var name: String {
        switch self {
        case .rungeKutta4: return "rk4"
        case .dormandPrince: return "dopri5"
        case .dormandPrince853: return "dop853"
        case .rungeKutta(let tableau, _, _): return tableau.name
        case .exact: return "exact"
        case .rock2: return "rock2"
        case .rock4: return "rock4"
        case .automatic: return "auto"
        }
    }

    /// The Runge–Kutta methods (they evaluate the right-hand side), not the closed form.
    var isExplicit: Bool {
        if case .exact = self { return false }
        return true
    }

    /// The tableau of a Runge–Kutta method (`nil` for the exact propagator).
    public var tableau: ButcherTableau? {
        switch self {
        case .rungeKutta4: return .classicalRK4
        case .dormandPrince: return .dormandPrince54
        case .dormandPrince853: return .dormandPrince853
        case .rungeKutta(let tableau, _, _): return tableau
        case .exact, .rock2, .rock4, .automatic: return nil
        }
    }

    /// The fixed step of a fixed-step Runge–Kutta method (`nil` for adaptive and exact methods).
    public var fixedStep: Double? {
        switch self {
        case .rungeKutta4(let step): return step
        case .rungeKutta(_, let step, _): return step
        case .dormandPrince, .dormandPrince853, .exact, .rock2, .rock4, .automatic: return nil
        }
    }

    /// The options of an adaptive Runge–Kutta method (`nil` for fixed-step and exact methods).
    public var adaptiveOptions: AdaptiveStepOptions? {
        switch self {
        case .dormandPrince(let options), .dormandPrince853(let options): return options
        case .rungeKutta(_, nil, let options): return options
        case .rungeKutta4, .rungeKutta, .exact, .rock2, .rock4, .automatic: return nil
        }
    }

    /// The same method with ``AdaptiveStepOptions/storeDenseOutput`` off (for re-integrations
    /// between saved states, which need no stored extensions).
    var withoutStoredDenseOutput: IntegrationMethod {
        switch self {
        case .dormandPrince(var options):
            options.storeDenseOutput = false
            return .dormandPrince(options)
        case .dormandPrince853(var options):
            options.storeDenseOutput = false
            return .dormandPrince853(options)
        case .rungeKutta(let tableau, let step, var options):
            options.storeDenseOutput = false
            return .rungeKutta(tableau, step: step, options: options)
        case .rungeKutta4, .exact, .rock2, .rock4, .automatic:
            return self
        }
    }

    /// Checks the options of the stabilised methods and `auto` (the others are checked when their
    /// stepper is made): ``RiccatiError/invalidParameter(name:value:reason:)`` naming `options.…`.
    public func validate() throws(RiccatiError) {
        switch self {
        case .rock2(let options):
            try options.validate(largestStages: StabilizedTableau.rock2.maximumStages, smallestStages: StabilizedTableau.rock2.minimumStages)
        case .rock4(let options):
            try options.validate(largestStages: StabilizedTableau.rock4.maximumStages, smallestStages: StabilizedTableau.rock4.minimumStages)
        case .automatic(let options):
            try options.validate()
        case .rungeKutta4, .dormandPrince, .dormandPrince853, .rungeKutta, .exact:
            return
        }
    }

    /// The stepper of a Runge–Kutta method for `system`, its vector loops run in two parts by
    /// `executor` (give the system the same executor). Validates the tableau, step and options
    /// (``RiccatiError/invalidParameter(name:value:reason:)`` naming `step`, `options.…` or
    /// `tableau.…`); the exact propagator is not a stepper of a general system
    /// (``RiccatiError/unsupportedMethod(method:dynamics:reason:)``).
    func makeStepper(system: ODESystem, executor: TwoLaneExecutor) throws(RiccatiError) -> TimeStepper {
        switch self {
        case .rungeKutta4(let step):
            return try FixedStepRungeKuttaStepper(system: system, tableau: .classicalRK4, stepSize: step, executor: executor)
        case .dormandPrince(let options):
            return try AdaptiveRungeKuttaStepper(system: system, tableau: .dormandPrince54, options: options, executor: executor)
        case .dormandPrince853(let options):
            return try AdaptiveRungeKuttaStepper(system: system, tableau: .dormandPrince853, options: options, executor: executor)
        case .rungeKutta(let tableau, let step?, _):
            return try FixedStepRungeKuttaStepper(system: system, tableau: tableau, stepSize: step, executor: executor)
        case .rungeKutta(let tableau, nil, let options):
            guard tableau.errorEstimate != nil else {
                throw .invalidParameter(name: "step", value: "nil",
                                        reason: "must be given for a tableau without an error estimate (it cannot adapt its steps)")
            }
            return try AdaptiveRungeKuttaStepper(system: system, tableau: tableau, options: options, executor: executor)
        case .rock2(let options):
            return try StabilizedRungeKuttaStepper(system: system, tableau: .rock2, options: options, executor: executor)
        case .rock4(let options):
            return try StabilizedRungeKuttaStepper(system: system, tableau: .rock4, options: options, executor: executor)
        case .automatic(let options):
            return try AutomaticStepper(system: system, options: options, executor: executor)
        case .exact:
            throw .unsupportedMethod(method: name, dynamics: "a general ODE system",
                                     reason: "the closed form exists only for the overlap ODE of the quadratic gradient flow")
        }
    }

    /// Runs `body` (an integration with this method) in the method's floating-point mode: the
    /// Runge–Kutta methods flush subnormals to zero (see
    /// ``solve(_:method:locateEscapes:threads:shouldStop:)``), the exact propagators run in the
    /// caller's mode.
    func inFloatingPointMode<T>(_ body: () throws -> T) throws -> T {
        isExplicit ? try FloatingPointMode.withSubnormalsFlushed(body) : try body()
    }

    /// What to try when an integration with this method diverges.
    public var divergenceHint: String? {
        switch self {
        case .rungeKutta4(let step):
            return "rk4 with step \(step) is unstable here: use a smaller step (the flow's fastest rate is about 16·λ_max, so h ≲ 2.8/(16·λ_max)), or the exact method"
        case .rungeKutta(let tableau, let step?, _):
            return "\(tableau.name) with step \(step) is unstable here: use a smaller step, or the exact method"
        case .dormandPrince, .dormandPrince853, .rungeKutta, .rock2, .rock4, .automatic:
            return "use tighter tolerances, or the exact method"
        case .exact:
            return "the closed form cannot diverge; a non-finite value means the input was extreme: lower the step exponent cap or check the initial state"
        }
    }
}
