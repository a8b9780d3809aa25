import Foundation
import LinearAlgebra
import Testing
@testable import Riccati

/// DOP853 (a tableau run by the generic adaptive stepper) against independent references: a
/// linear system's closed form and the exact propagator of the overlap ODE.
@Suite struct RungeKuttaDOP853Tests {
    static let tight: AdaptiveStepOptions = {
        var options = AdaptiveStepOptions(relativeTolerance: 1e-13, absoluteTolerance: 1e-15)
        options.maxSteps = 1_000_000
        return options
    }()

    @Test func dop853MatchesAClosedFormTo1e12() throws {
        let saves = (1...20).map { 0.25 * Double($0) }
        let solution = try integrate(DampedRotations(), initialState: DampedRotations.initialState, finalTime: 5,
                                     saveTimes: saves, method: .dormandPrince853(Self.tight))
        #expect(solution.status == .success && solution.times == saves)
        let error = DampedRotations.maximumError(solution)
        #expect(error < 1e-12, "DOP853 at rtol 1e-13: max error \(error)")
        // 12 evaluations per attempted step (11 stages + the FSAL one), 2 to start; the saves
        // fall inside steps and cost 3 extra stages per step that holds one.
        let attempts = solution.statistics.acceptedSteps + solution.statistics.rejectedSteps
        #expect(solution.statistics.rhsEvaluations >= 12 * attempts + 2)
        #expect(solution.statistics.rhsEvaluations <= 12 * attempts + 2 + 3 * saves.count)
        // Negative controls: a loose tolerance, and DOPRI5 with DOP853's average step, are
        // visibly less accurate.
        let loose = try integrate(DampedRotations(), initialState: DampedRotations.initialState, finalTime: 5,
                                  saveTimes: saves, method: .dormandPrince853(AdaptiveStepOptions(relativeTolerance: 1e-6, absoluteTolerance: 1e-9)))
        #expect(DampedRotations.maximumError(loose) > 1e-10, "rtol 1e-6: \(DampedRotations.maximumError(loose))")
        let averageStep = 5.0 / Double(solution.statistics.acceptedSteps)
        let dopriSolution = try integrate(DampedRotations(), initialState: DampedRotations.initialState, finalTime: 5,
                                          saveTimes: saves, method: .rungeKutta(.dormandPrince54, step: averageStep))
        #expect(DampedRotations.maximumError(dopriSolution) > 100 * error,
                "DOPRI5 with DOP853's steps: \(DampedRotations.maximumError(dopriSolution)) against \(error)")
    }

    @Test func dop853MatchesTheExactPropagatorTo1e12() throws {
        let problem = try smallProblem(finalTime: 5, saveTimes: [0.5, 1, 2.5, 5])
        let reference = try solve(problem, method: .exact(ExactPropagatorOptions()))
        let dop853 = try solve(problem, method: .dormandPrince853(Self.tight))
        #expect(dop853.status == .success && dop853.times == reference.times)
        let discrepancy = solutionDiscrepancy(dop853, reference)
        #expect(discrepancy < 1e-12, "DOP853 at rtol 1e-13 against the exact propagator: \(discrepancy)")
        // Escape times are located on DOP853's dense output.
        for (found, exact) in zip(dop853.escapeTimes, reference.escapeTimes) {
            if let found, let exact { #expect(abs(found - exact) <= 1e-9 * exact, "escape \(found) against \(exact)") } else { #expect(found == exact) }
        }
        // Negative control: the default tolerance misses by far more.
        let loose = try solve(problem, method: .dormandPrince853(AdaptiveStepOptions()))
        #expect(solutionDiscrepancy(loose, reference) > 1e-10, "rtol 1e-6: \(solutionDiscrepancy(loose, reference))")
    }

    /// The error at `t = 2` of the fixed-step method with `tableau` and step `h`, through the public
    /// user-tableau case.
    func fixedStepError(_ tableau: ButcherTableau, step h: Double) throws -> Double {
        let solution = try integrate(DampedRotations(), initialState: DampedRotations.initialState, finalTime: 2,
                                     saveTimes: [2], method: .rungeKutta(tableau, step: h))
        #expect(solution.status == .success)
        return DampedRotations.maximumError(solution)
    }

    /// `log₂(error(h)/error(h/2))`.
    func observedOrder(_ tableau: ButcherTableau, step h: Double) throws -> Double {
        log2(try fixedStepError(tableau, step: h) / fixedStepError(tableau, step: h / 2))
    }

    @Test func dop853HasOrderEight() throws {
        let order = try observedOrder(.dormandPrince853, step: 0.2)
        #expect(abs(order - 8) < 0.6, "DOP853 observed order \(order)")
        // Negative control: one perturbed weight (b₇ += 1e-4, b₈ −= 1e-4: still consistent, but
        // Σ b c ≠ 1/2) is detected as first order.
        var perturbed = ButcherTableau.dormandPrince853
        perturbed.b[6] += 1e-4
        perturbed.b[7] -= 1e-4
        perturbed.a[12] = Array(perturbed.b[0..<12])
        let perturbedOrder = try observedOrder(perturbed, step: 0.2)
        #expect(perturbedOrder < 2, "perturbed DOP853 observed order \(perturbedOrder)")
        // And one perturbed stage coefficient (a[9][8], the fifth digit) lowers it too.
        var perturbedStage = ButcherTableau.dormandPrince853
        perturbedStage.a[9][8] *= 1 + 1e-4
        let stageOrder = try observedOrder(perturbedStage, step: 0.2)
        #expect(stageOrder < 6, "DOP853 with a[9][8] perturbed: observed order \(stageOrder)")
    }

    @Test func dop853ErrorFollowsTheTolerance() throws {
        // A tolerance 100× tighter buys at least 20× less error, and the global error stays
        // within 100× the tolerance.
        var errors: [Double] = []
        for rtol in [1e-7, 1e-9, 1e-11] {
            let solution = try integrate(DampedRotations(), initialState: DampedRotations.initialState, finalTime: 5, saveTimes: [5],
                                         method: .dormandPrince853(AdaptiveStepOptions(relativeTolerance: rtol, absoluteTolerance: rtol * 1e-2)))
            errors.append(DampedRotations.maximumError(solution))
            #expect(errors.last! < 100 * rtol, "rtol \(rtol): error \(errors.last!)")
        }
        #expect(errors[1] * 20 < errors[0] && errors[2] * 20 < errors[1], "errors \(errors)")
    }

    @Test func dop853DenseOutputIsSeventhOrderBetweenSteps() throws {
        // Save times that fall inside steps are evaluated by the continuous extension.
        let saves = (1...400).map { 0.01275 * Double($0) }
        var options = AdaptiveStepOptions(relativeTolerance: 1e-12, absoluteTolerance: 1e-14)
        options.maxSteps = 1_000_000
        let dense = try integrate(DampedRotations(), initialState: DampedRotations.initialState, finalTime: 5.1,
                                  saveTimes: saves, method: .dormandPrince853(options))
        #expect(dense.statistics.acceptedSteps < saves.count, "steps \(dense.statistics.acceptedSteps): most saves are off-grid")
        let denseError = DampedRotations.maximumError(dense)
        #expect(denseError < 1e-10, "DOP853 dense output error \(denseError)")
        // Negative control: the same pair without its continuous extension (the stepper falls
        // back to the cubic Hermite interpolant of y and f at the step's ends).
        var hermite = ButcherTableau.dormandPrince853
        hermite.denseOutput = nil
        let cubic = try integrate(DampedRotations(), initialState: DampedRotations.initialState, finalTime: 5.1,
                                  saveTimes: saves, method: .rungeKutta(hermite, options: options))
        #expect(DampedRotations.maximumError(cubic) > 100 * denseError, "Hermite \(DampedRotations.maximumError(cubic)) against \(denseError)")
    }

    @Test func storedDenseOutputMatchesTheExactPropagatorOffGrid() throws {
        let problem = try smallProblem(finalTime: 5, saveTimes: [5])
        var options = AdaptiveStepOptions(relativeTolerance: 1e-12, absoluteTolerance: 1e-14)
        options.storeDenseOutput = true
        let solution = try solve(problem, method: .dormandPrince853(options))
        let segments = solution.denseSegments
        #expect(segments.count > 10 && segments.allSatisfy { $0.coefficients.count == 8 * 24 })
        let reference = try solve(problem, method: .exact(ExactPropagatorOptions()))
        var denseError = 0.0, linearError = 0.0
        for segment in segments.dropFirst(2) {
            let t = segment.startTime + 0.37 * segment.stepSize
            let exact = try reference.state(at: t)
            denseError = max(denseError, relativeDifference(try solution.state(at: t).signalGram, exact.signalGram))
            // Negative control: straight-line interpolation between the step's ends.
            let start = try solution.state(at: segment.startTime), end = try solution.state(at: segment.startTime + segment.stepSize)
            let linear = BLAS.gram(0.63 * start.overlap + 0.37 * end.overlap, transpose: true)
            linearError = max(linearError, relativeDifference(linear, exact.signalGram))
        }
        #expect(denseError < 1e-10, "stored DOP853 dense output against the exact propagator: \(denseError)")
        #expect(linearError > 1e3 * denseError, "linear interpolation \(linearError)")
    }

    @Test func dop853DetectsStiffnessLikeDopri5() throws {
        let problem = try smallProblem(finalTime: 3000, saveTimes: [3000])
        var options = AdaptiveStepOptions(relativeTolerance: 1e-6, absoluteTolerance: 1e-9)
        options.stiffnessCheckInterval = 50
        let reported = try solve(problem, method: .dormandPrince853(options))
        #expect(reported.status == .success && reported.message.contains("stiff"), "\(reported.message)")
        options.abortWhenStiff = true
        #expect(try solve(problem, method: .dormandPrince853(options)).status == .probablyStiff)
        // Control: a short horizon, before the learned directions make the flow stiff.
        let short = try solve(try smallProblem(finalTime: 5, saveTimes: [5]), method: .dormandPrince853(options))
        #expect(short.status == .success && !short.message.contains("stiff"))
    }

    @Test func dop853GivesTheSameBitsOnOneAndTwoThreads() throws {
        let spectrum = try TeacherSpectrum.powerLaw(exponent: 1, count: 256)
        let state = try RandomInitialization(studentWidth: 64, teacherWidth: 256, dimension: 4096, sigma0: 1, seed: 5,
                                             smallInitialization: false).sample()
        let problem = try OverlapProblem(spectrum: spectrum, initialState: state, finalTime: 2, saveTimes: [0.7, 2])
        let method = IntegrationMethod.dormandPrince853(AdaptiveStepOptions(relativeTolerance: 1e-9, absoluteTolerance: 1e-12))
        let stepper = try makeStepper(dynamics: problem.dynamics, method: method, threads: 2)
        #expect((stepper as? AdaptiveRungeKuttaStepper)?.usesTwoLanes == true)
        let one = try solve(problem, method: method, threads: 1)
        let two = try solve(problem, method: method, threads: 2)
        #expect(one.status == .success && two.status == .success)
        for index in 0..<2 { #expect(one.states[index].packed == two.states[index].packed) }
        #expect(one.escapeTimes == two.escapeTimes)
    }
}
