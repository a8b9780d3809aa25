import Foundation
import LinearAlgebra

/// The integrators. All three return the same ``Solution``.
public enum IntegrationMethod: Sendable, Equatable {
    /// Classical RK4 with a fixed step (shortened to land on save times).
    case rungeKutta4(step: Double)
    /// Adaptive Dormand–Prince 5(4) (Hairer's DOPRI5).
    case dormandPrince(DormandPrinceOptions)
    /// The closed-form propagator of MODEL.md: exact for every step, limited only by round-off.
    case exact(ExactPropagatorOptions)

    /// The name used on the command line and in outputs: `rk4`, `dopri5` or `exact`.
    public var name: String {
        switch self {
        case .rungeKutta4: return "rk4"
        case .dormandPrince: return "dopri5"
        case .exact: return "exact"
        }
    }

    /// RK4 and Dormand–Prince (they evaluate the right-hand side), not the closed form.
    var isExplicit: Bool {
        if case .exact = self { return false }
        return true
    }

    /// Runs `body` (an integration with this method) in the method's floating-point mode: RK4 and
    /// Dormand–Prince flush subnormals to zero (see ``solve(_:method:locateEscapes:threads:shouldStop:)``),
    /// the exact propagators run in the caller's mode.
    func inFloatingPointMode<T>(_ body: () throws -> T) throws -> T {
        isExplicit ? try FloatingPointMode.withSubnormalsFlushed(body) : try body()
    }

    /// What to try when an integration with this method diverges.
    public var divergenceHint: String? {
        switch self {
        case .rungeKutta4(let step):
            return "rk4 with step \(step) is unstable here: use a smaller --step (the flow's fastest rate is about 16·λ_max, so h ≲ 2.8/(16·λ_max)), or --method exact"
        case .dormandPrince:
            return "tighten --rtol/--atol, or use --method exact"
        case .exact:
            return "the closed form cannot diverge; a non-finite value means the input was extreme: lower --step-exponent-cap or check the initial state"
        }
    }
}
