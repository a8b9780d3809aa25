import Foundation
import LinearAlgebra
import Testing
@testable import Riccati

@Suite struct OrderTests {
    /// Error at t = 2 of a fixed-step method with `tableau` and step `h`, against the exact
    /// propagator (max relative error over the risk and `G`).
    func fixedStepError(_ tableau: ButcherTableau, step: Double, problem: OverlapProblem, reference: Solution) throws -> Double {
        let field = OverlapVectorField(spectrum: problem.spectrum, studentWidth: problem.studentWidth)
        let stepper = try FixedStepRungeKuttaStepper(system: field, tableau: tableau, stepSize: step)
        let output = try IntegrationDriver.run(stepper: stepper, initialTime: 0, initialState: problem.initialState.packed,
                                               finalTime: 2, saveTimes: [2])
        let evaluator = QuadraticRiskEvaluator(spectrum: problem.spectrum, studentWidth: problem.studentWidth)
        let state = output.states[0].withUnsafeBufferPointer {
            OverlapState(packed: $0.baseAddress!, studentWidth: problem.studentWidth, teacherWidth: problem.teacherWidth)
        }
        let risk = output.states[0].withUnsafeBufferPointer { evaluator.risk(packed: $0.baseAddress!) }
        return max(relativeDifference(risk, reference.risk[0]), relativeDifference(state.signalGram, reference.signalGram(at: 0)))
    }

    /// The ratio of errors at steps `h` and `h/2`.
    func errorRatio(_ tableau: ButcherTableau, step: Double) throws -> Double {
        let problem = try smallProblem(finalTime: 2, saveTimes: [2])
        let reference = try solve(problem, method: .exact(ExactPropagatorOptions()))
        let coarse = try fixedStepError(tableau, step: step, problem: problem, reference: reference)
        let fine = try fixedStepError(tableau, step: step / 2, problem: problem, reference: reference)
        return coarse / fine
    }

    @Test func rk4ErrorFallsSixteenfoldWhenTheStepHalves() throws {
        let ratio = try errorRatio(.classicalRK4, step: 0.01)
        #expect(abs(ratio - 16) <= 3, "RK4 error ratio \(ratio)")
        // Negative control: equal weights b_i = 1/4 satisfy only the order-2 conditions, so the ratio is ≈ 4.
        let broken = ButcherTableau(name: "broken", order: 2, embeddedOrder: nil, c: [0, 0.5, 0.5, 1],
                                    a: [[], [0.5], [0, 0.5], [0, 0, 1]], b: [0.25, 0.25, 0.25, 0.25],
                                    errorWeights: nil, firstSameAsLast: false)
        let brokenRatio = try errorRatio(broken, step: 0.01)
        #expect(abs(brokenRatio - 16) > 3, "broken tableau ratio \(brokenRatio)")
        #expect(abs(brokenRatio - 4) < 1)
    }

    @Test func rk4LandsExactlyOnSaveTimes() throws {
        let problem = try smallProblem(finalTime: 1, saveTimes: [0.123, 0.5, 1])
        let solution = try solve(problem, method: .rungeKutta4(step: 0.05))
        #expect(solution.times == [0.123, 0.5, 1])
        // The RK4 interpolation policy: state(at:) equals saving at that time.
        let resaved = try solve(try OverlapProblem(spectrum: problem.spectrum, initialState: problem.initialState,
                                                   finalTime: 1, saveTimes: [0.123, 0.3, 0.5, 1]),
                                method: .rungeKutta4(step: 0.05))
        let evaluated = try solution.state(at: 0.3)
        #expect(relativeDifference(evaluated.signalGram, resaved.signalGram(at: 1)) < 1e-14)
    }

    @Test func dormandPrinceDenseOutputIsAccurateMidStep() throws {
        let problem = try smallProblem(finalTime: 5, saveTimes: [5])
        var options = DormandPrinceOptions(relativeTolerance: 1e-8, absoluteTolerance: 1e-10)
        options.storeDenseOutput = true
        let solution = try solve(problem, method: .dormandPrince(options))
        let segments = solution.denseSegments
        #expect(segments.count > 20)
        let reference = try solve(problem, method: .exact(ExactPropagatorOptions()))
        var denseError = 0.0, linearError = 0.0
        for segment in segments.dropFirst(2) {
            let mid = segment.startTime + 0.5 * segment.stepSize
            let exact = try reference.state(at: mid)
            let interpolated = try solution.state(at: mid)
            // Compare invariants: the propagator's M differs from the flow's by a rotation.
            denseError = max(denseError, (interpolated.signalGram - exact.signalGram).maxAbs)
            // Negative control: straight-line interpolation between the step's ends.
            let start = try solution.state(at: segment.startTime)
            let end = try solution.state(at: segment.startTime + segment.stepSize)
            let linear = 0.5 * (start.overlap + end.overlap)
            let linearGram = BLAS.gram(linear, transpose: true)
            linearError = max(linearError, (linearGram - exact.signalGram).maxAbs)
        }
        #expect(denseError < 1e-6, "dense output error \(denseError) at rtol 1e-8")
        #expect(linearError > 10 * denseError, "linear interpolation error \(linearError) should be far worse")
    }

    @Test func dormandPrinceReintegratesBetweenSavesWithoutDenseOutput() throws {
        let problem = try smallProblem(finalTime: 5, saveTimes: [1, 5])
        let solution = try solve(problem, method: .dormandPrince(DormandPrinceOptions(relativeTolerance: 1e-9, absoluteTolerance: 1e-12)))
        #expect(solution.denseSegments.isEmpty)
        let reference = try solve(problem, method: .exact(ExactPropagatorOptions()))
        for t in [0.3, 2.5, 4.9] {
            let error = relativeDifference(try solution.state(at: t).signalGram, try reference.state(at: t).signalGram)
            #expect(error < 1e-7, "t = \(t): \(error)")
        }
        #expect(throws: RiccatiError.self) { try solution.state(at: -1) }
    }

    @Test func dormandPrinceGlobalErrorScalesWithTolerance() throws {
        let problem = try smallProblem(finalTime: 10)
        let reference = try solve(problem, method: .exact(ExactPropagatorOptions()))
        let loose = try solve(problem, method: .dormandPrince(DormandPrinceOptions(relativeTolerance: 1e-5, absoluteTolerance: 1e-8)))
        let tight = try solve(problem, method: .dormandPrince(DormandPrinceOptions(relativeTolerance: 1e-8, absoluteTolerance: 1e-11)))
        let looseError = solutionDiscrepancy(loose, reference)
        let tightError = solutionDiscrepancy(tight, reference)
        #expect(looseError < 1e-3, "rtol 1e-5 error \(looseError)")
        #expect(tightError < 1e-6, "rtol 1e-8 error \(tightError)")
        // A 1000× tighter tolerance must buy at least a 50× smaller error.
        #expect(tightError * 50 < looseError, "errors \(looseError) → \(tightError)")
        #expect(tight.statistics.rhsEvaluations > loose.statistics.rhsEvaluations)
        #expect(tight.statistics.rhsEvaluations == 6 * (tight.statistics.acceptedSteps + tight.statistics.rejectedSteps) + 2)
    }

    @Test func dormandPrinceReportsItsLimits() throws {
        let problem = try smallProblem(finalTime: 10)
        var fewSteps = DormandPrinceOptions(relativeTolerance: 1e-10, absoluteTolerance: 1e-12)
        fewSteps.maxSteps = 20
        let limited = try solve(problem, method: .dormandPrince(fewSteps))
        #expect(limited.status == .maxStepsReached)
        #expect(limited.message.contains("maximum of 20 steps"))
        var bigMinimum = DormandPrinceOptions(relativeTolerance: 1e-10, absoluteTolerance: 1e-12)
        bigMinimum.minStep = 5
        let tooSmall = try solve(problem, method: .dormandPrince(bigMinimum))
        #expect(tooSmall.status == .stepTooSmall)
    }

    @Test func stiffnessIsReportedNotFatalByDefault() throws {
        // Long horizons make the learned directions stiff (eigenvalues ≈ −8λ_j) for an explicit method.
        let problem = try smallProblem(finalTime: 3000, saveTimes: [3000])
        var options = DormandPrinceOptions(relativeTolerance: 1e-6, absoluteTolerance: 1e-9)
        options.stiffnessCheckInterval = 50
        let reported = try solve(problem, method: .dormandPrince(options))
        #expect(reported.status == .success)
        #expect(reported.message.contains("stiff"))
        options.abortWhenStiff = true
        let aborted = try solve(problem, method: .dormandPrince(options))
        #expect(aborted.status == .probablyStiff)
    }

    @Test func rk4WithAnUnstableStepFailsCleanly() throws {
        let problem = try smallProblem(finalTime: 50, saveTimes: [50])
        let solution = try solve(problem, method: .rungeKutta4(step: 2))
        #expect(solution.status == .nonFiniteState)
        #expect(solution.risk.allSatisfy { $0.isFinite })
    }
}

@Suite struct InvariantTests {
    /// Index of the first save where the risk rises by more than round-off, if any.
    func firstRiskIncrease(_ risk: [Double]) -> Int? {
        for k in 1..<risk.count where risk[k] > risk[k - 1] * (1 + 1e-12) + 1e-300 { return k }
        return nil
    }

    @Test func riskNeverIncreasesAndGStaysPSD() throws {
        let times = (1...200).map { 0.05 * Double($0) }
        let problem = try smallProblem(r: 6, rs: 4, d: 50, finalTime: 10, saveTimes: times)
        let solution = try solve(problem, method: .exact(ExactPropagatorOptions()))
        #expect(firstRiskIncrease(solution.risk) == nil)
        for index in solution.times.indices {
            let g = solution.signalGram(at: index)
            let smallest = try LinearAlgebra.symmetricEigenvalues(g, range: .indices(first: 0, last: 0))[0]
            #expect(smallest >= -1e-13 * max(1, g.maxAbs))
        }
        // Negative control: the time-reversed flow raises the risk and the checker says so.
        let smallStart = try smallProblem(r: 6, rs: 4, d: 50, smallInit: true)
        let reversed = TimeReversed(OverlapVectorField(spectrum: problem.spectrum, studentWidth: 4))
        let backward = try integrate(reversed, initialState: smallStart.initialState.packed, finalTime: 0.5,
                                     saveTimes: (1...10).map { 0.05 * Double($0) }, method: .rungeKutta4(step: 0.01))
        #expect(backward.states.count == 10)
        let evaluator = QuadraticRiskEvaluator(spectrum: problem.spectrum, studentWidth: 4)
        let backwardRisk = backward.states.map { state in state.withUnsafeBufferPointer { evaluator.risk(packed: $0.baseAddress!) } }
        #expect(firstRiskIncrease(backwardRisk) != nil)
    }

    @Test func wideStudentDrivesTheRiskToZero() throws {
        // r_s ≥ r. Small init: exponential convergence to 0.
        let small = try solve(try smallProblem(r: 4, rs: 6, d: 64, smallInit: true, finalTime: 400, saveTimes: [400]),
                              method: .exact(ExactPropagatorOptions()))
        #expect(small.risk[0] < 1e-14, "risk \(small.risk[0])")
        #expect(small.riskFloor == 0)
        // Random init: the excess orthogonal part decays like 1/t, so R ∝ t^{-2}.
        let random = try solve(try smallProblem(r: 4, rs: 6, d: 64, finalTime: 20000, saveTimes: [10000, 20000]),
                               method: .exact(ExactPropagatorOptions()))
        #expect(random.risk[1] < 1e-7, "risk \(random.risk[1])")
        let ratio = random.risk[0] / random.risk[1]
        #expect(abs(ratio - 4) < 0.1, "R(T/2)/R(T) = \(ratio), expected ≈ 4 for R ∝ t^{-2}")
    }

    @Test func narrowStudentReachesTheWidthFloor() throws {
        let problem = try smallProblem(r: 6, rs: 3, d: 60, finalTime: 3000, saveTimes: [3000])
        let solution = try solve(problem, method: .exact(ExactPropagatorOptions()))
        let floor = solution.riskFloor
        let values = problem.spectrum.values
        #expect(relativeDifference(floor, 2 * (values[3] * values[3] + values[4] * values[4] + values[5] * values[5])) < 1e-15)
        let excess = (solution.risk[0] - floor) / floor
        #expect(excess >= -1e-12 && excess < 1e-6, "relative excess over R_min: \(excess)")
        #expect(solution.learned[0] == 3)
    }

    @Test func escapeTimesAreCrossingsOfHalfTheSignal() throws {
        let problem = try smallProblem(r: 4, rs: 4, d: 1000, sigma0: 0.5, finalTime: 60, saveTimes: [60])
        let exact = try solve(problem, method: .exact(ExactPropagatorOptions()))
        let dopri = try solve(problem, method: .dormandPrince(DormandPrinceOptions(relativeTolerance: 1e-10, absoluteTolerance: 1e-12)))
        for j in 0..<4 {
            let escape = try #require(exact.escapeTimes[j])
            #expect(escape > 0)
            let lambda = problem.spectrum.values[j]
            let at = try exact.state(at: escape).signalGram[j, j]
            let before = try exact.state(at: escape * (1 - 1e-6)).signalGram[j, j]
            #expect(at >= lambda / 2 && abs(at - lambda / 2) < 1e-9 * lambda, "G_jj(T_j) = \(at), λ/2 = \(lambda / 2)")
            #expect(before < lambda / 2)
            let other = try #require(dopri.escapeTimes[j])
            #expect(relativeDifference(escape, other) < 1e-6)
        }
    }
}

/// `dy/dt = −f(t, y)`: the gradient flow run backwards (a negative control).
final class TimeReversed: ODESystem {
    let base: ODESystem
    init(_ base: ODESystem) { self.base = base }
    var dimension: Int { base.dimension }
    func evaluate(time: Double, state: UnsafePointer<Double>, derivative: UnsafeMutablePointer<Double>) {
        base.evaluate(time: time, state: state, derivative: derivative)
        for i in 0..<dimension { derivative[i] = -derivative[i] }
    }
}
