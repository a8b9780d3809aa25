import Foundation
import Testing
@testable import Riccati

/// A user's tableau through the public case ``IntegrationMethod/rungeKutta(_:step:options:)``.
@Suite struct RungeKuttaUserTableauTests {
    func fixedStepError(_ tableau: ButcherTableau, step h: Double) throws -> Double {
        let solution = try integrate(DampedRotations(), initialState: DampedRotations.initialState, finalTime: 2,
                                     saveTimes: [0.3, 2], method: .rungeKutta(tableau, step: h))
        #expect(solution.status == .success && solution.times == [0.3, 2])
        return DampedRotations.maximumError(solution)
    }

    @Test func threeEighthsRuleHasOrderFour() throws {
        let order = log2(try fixedStepError(.threeEighthsRule, step: 0.05) / fixedStepError(.threeEighthsRule, step: 0.025))
        #expect(abs(order - 4) < 0.3, "3/8 rule observed order \(order)")
        // Its error is close to, but not the same as, classical RK4's (another method).
        let classical = try fixedStepError(.classicalRK4, step: 0.05), rule = try fixedStepError(.threeEighthsRule, step: 0.05)
        #expect(classical != rule && abs(log10(classical / rule)) < 1.5)
        // Negative control: a perturbed coefficient (a[2][0] = −0.3 instead of −1/3) breaks the
        // row-sum condition and drops the order to about one.
        var perturbed = ButcherTableau.threeEighthsRule
        perturbed.a[2][0] = -0.3
        let perturbedOrder = log2(try fixedStepError(perturbed, step: 0.05) / fixedStepError(perturbed, step: 0.025))
        #expect(perturbedOrder < 2.5, "perturbed 3/8 rule observed order \(perturbedOrder)")
    }

    @Test func bogackiShampineRunsAdaptivelyAndAtItsOrder() throws {
        // Fixed steps: third order.
        let order = log2(try fixedStepError(.bogackiShampine32, step: 0.05) / fixedStepError(.bogackiShampine32, step: 0.025))
        #expect(abs(order - 3) < 0.3, "BS3(2) observed order \(order)")
        // Adaptive (an embedded pair, no step): the error follows the tolerance, the FSAL stage is
        // reused (3 evaluations per attempted step, 2 to start) and off-grid saves come from the
        // cubic Hermite interpolant.
        let saves = (1...9).map { 0.55 * Double($0) }
        var errors: [Double] = []
        for rtol in [1e-5, 1e-8] {
            let solution = try integrate(DampedRotations(), initialState: DampedRotations.initialState, finalTime: 5, saveTimes: saves,
                                         method: .rungeKutta(.bogackiShampine32, options: AdaptiveStepOptions(relativeTolerance: rtol, absoluteTolerance: rtol * 1e-3)))
            #expect(solution.status == .success && solution.times == saves)
            let stats = solution.statistics
            #expect(stats.rhsEvaluations == 3 * (stats.acceptedSteps + stats.rejectedSteps) + 2)
            errors.append(DampedRotations.maximumError(solution))
        }
        #expect(errors[0] < 1e-3 && errors[1] < 1e-6, "BS3(2) errors \(errors)")
        #expect(errors[1] * 100 < errors[0], "1000× tighter tolerance: \(errors)")
        // The same pair on the overlap ODE through solve, against the exact propagator.
        let problem = try smallProblem(finalTime: 5, saveTimes: [1, 5])
        let reference = try solve(problem, method: .exact(ExactPropagatorOptions()))
        let overlap = try solve(problem, method: .rungeKutta(.bogackiShampine32, options: AdaptiveStepOptions(relativeTolerance: 1e-9, absoluteTolerance: 1e-12)))
        #expect(overlap.methodName == "bs32" && overlap.status == .success)
        #expect(solutionDiscrepancy(overlap, reference) < 1e-6, "BS3(2) against the exact propagator: \(solutionDiscrepancy(overlap, reference))")
    }

    @Test func aPairWithoutFSALOrDenseOutputLandsOnSaveTimes() throws {
        // Bogacki–Shampine written without FSAL (three stages, a last stage never reused): the
        // adaptive stepper has no interpolant, so it ends steps on the save times, and re-runs a
        // shortened step for times between them.
        let threeStage = ButcherTableau(
            name: "bs32-no-fsal", order: 3, c: [0, 0.5, 0.75], a: [[], [0.5], [0, 0.75]], b: [2.0 / 9, 1.0 / 3, 4.0 / 9])
        // b̂ needs f(t + h, y_new) in the original pair; a second-order estimate from these three
        // stages: Heun-like b̂ = (0, 1, 0) (the midpoint rule), so e = b − b̂.
        var pair = threeStage
        pair.errorEstimate = EmbeddedErrorEstimate(weights: [2.0 / 9, 1.0 / 3 - 1, 4.0 / 9], order: 2)
        let saves = [0.123, 1.7, 4.2]
        let solution = try integrate(DampedRotations(), initialState: DampedRotations.initialState, finalTime: 5, saveTimes: saves,
                                     method: .rungeKutta(pair, options: AdaptiveStepOptions(relativeTolerance: 1e-8, absoluteTolerance: 1e-11)))
        #expect(solution.status == .success && solution.times == saves)
        #expect(DampedRotations.maximumError(solution) < 1e-6, "error \(DampedRotations.maximumError(solution))")
        let stats = solution.statistics
        // No FSAL: 3 evaluations per step after an accepted one, 2 after a rejected one (f(t, y)
        // is kept), and the first step reuses the evaluation of the start.
        #expect(stats.rhsEvaluations == 3 * stats.acceptedSteps + 2 * stats.rejectedSteps + 1)
    }
}

/// A linear, partly forced system with a closed-form solution, independent of any integrator:
/// three damped rotations `(u, v)' = [[−a, −ω], [ω, −a]] (u, v)` and one forced decay
/// `z' = −μ z + cos t`. Its rates (up to 5) are of the order of the overlap ODE's on `smallProblem`.
final class DampedRotations: ODESystem {
    /// `(a, ω)` of each rotation.
    static let rotations: [(damping: Double, frequency: Double)] = [(0.3, 2), (1, 0.5), (0.05, 5)]
    static let decay = 0.7
    static let initialState: [Double] = [1, 0, 0.5, -1, -0.3, 0.8, 2]

    var dimension: Int { 7 }

    func evaluate(time t: Double, state y: UnsafePointer<Double>, derivative dy: UnsafeMutablePointer<Double>) {
        for (k, rotation) in Self.rotations.enumerated() {
            let u = y[2 * k], v = y[2 * k + 1]
            dy[2 * k] = -rotation.damping * u - rotation.frequency * v
            dy[2 * k + 1] = rotation.frequency * u - rotation.damping * v
        }
        dy[6] = -Self.decay * y[6] + cos(t)
    }

    /// The exact solution from ``initialState`` at `t`.
    static func exact(at t: Double) -> [Double] {
        var y = [Double](repeating: 0, count: 7)
        for (k, rotation) in rotations.enumerated() {
            let u = initialState[2 * k], v = initialState[2 * k + 1]
            let shrink = exp(-rotation.damping * t), cosine = cos(rotation.frequency * t), sine = sin(rotation.frequency * t)
            y[2 * k] = shrink * (cosine * u - sine * v)
            y[2 * k + 1] = shrink * (sine * u + cosine * v)
        }
        // z = C e^{−μt} + (μ cos t + sin t)/(1 + μ²), C from z(0).
        let mu = decay, particular0 = mu / (1 + mu * mu)
        y[6] = (initialState[6] - particular0) * exp(-mu * t) + (mu * cos(t) + sin(t)) / (1 + mu * mu)
        return y
    }

    /// The largest error `max_i |y_i − exact_i|` over the saves of `solution`.
    static func maximumError(_ solution: ODESolution) -> Double {
        var worst = 0.0
        for (t, state) in zip(solution.times, solution.states) {
            for (value, reference) in zip(state, exact(at: t)) { worst = max(worst, abs(value - reference)) }
        }
        return worst
    }
}

extension ButcherTableau {
    /// Kutta's 3/8 rule (1901), fourth order; Hairer, Nørsett & Wanner I, Table II.1.2 (right).
    static let threeEighthsRule = ButcherTableau(
        name: "rk38", order: 4, c: [0, 1.0 / 3, 2.0 / 3, 1],
        a: [[], [1.0 / 3], [-1.0 / 3, 1], [1, -1, 1]], b: [1.0 / 8, 3.0 / 8, 3.0 / 8, 1.0 / 8])

    /// Bogacki & Shampine's 3(2) pair (Appl. Math. Lett. 2 (1989) 321–325), FSAL: `b̂ =
    /// (7/24, 1/4, 1/3, 1/8)`, so `e = b − b̂ = (−5/72, 1/12, 1/9, −1/8)`. No dense output of its own
    /// (the adaptive stepper then uses the cubic Hermite interpolant).
    static let bogackiShampine32 = ButcherTableau(
        name: "bs32", order: 3, c: [0, 0.5, 0.75, 1],
        a: [[], [0.5], [0, 0.75], [2.0 / 9, 1.0 / 3, 4.0 / 9]], b: [2.0 / 9, 1.0 / 3, 4.0 / 9, 0],
        firstSameAsLast: true,
        errorEstimate: EmbeddedErrorEstimate(weights: [-5.0 / 72, 1.0 / 12, 1.0 / 9, -1.0 / 8], order: 2))
}
