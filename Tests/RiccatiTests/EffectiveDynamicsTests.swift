import Foundation
import LinearAlgebra
import Testing
import TestSupport
@testable import Riccati

/// The quadratic gradient flow behind a conformer of ``EffectiveDynamics`` that uses none of the
/// library's internal shortcuts (no two-lane field, no exact propagator, no closed-form escape
/// slopes, observables through `unpack` and `risk(of:)`): it exercises the generic path of `solve`.
private struct GenericGradientFlow: EffectiveDynamics {
    let flow: QuadraticGradientFlow
    /// Multiplies the risk, to show that a wrong risk is seen (negative control).
    var riskFactor = 1.0

    var name: String { "generic-gradient-flow" }
    var spectrum: TeacherSpectrum { flow.spectrum }
    var studentWidth: Int { flow.studentWidth }
    var timeEvolution: TimeEvolution { .continuous }
    var stateDimension: Int { flow.stateDimension }
    var descriptor: DynamicsDescriptor { .custom(name: name) }
    func pack(_ state: OverlapState) -> [Double] { flow.pack(state) }
    func unpack(_ packed: UnsafePointer<Double>) -> OverlapState { flow.unpack(packed) }
    func risk(of state: OverlapState) throws(RiccatiError) -> Double { riskFactor * (try flow.risk(of: state)) }
    func makeVectorField() -> ODESystem? { OverlapVectorField(spectrum: spectrum, studentWidth: studentWidth) }
    func makeStepMap() -> StepMap? { nil }
    func checkApplicable(_ method: IntegrationMethod) throws(RiccatiError) {
        if case .exact = method { throw .unsupportedMethod(method: method.name, dynamics: name, reason: "no closed form") }
    }
}

/// Population gradient descent on `W` itself, `W ← W − 4η W (WᵀW − ΘᵀΛΘ)`, in dimension `d`:
/// the independent reference for ``QuadraticPopulationGradientDescent``.
private func directGradientDescent(w0: Matrix, teacherMatrix a: Matrix, learningRate eta: Double, steps: Int,
                                   gradientScale: Double = 4) throws -> [Matrix] {
    var w = w0
    var iterates = [w]
    for _ in 0..<steps {
        var d = BLAS.gram(w, transpose: true)            // WᵀW
        for index in 0..<d.storage.count { d.storage[index] -= a.storage[index] }
        let gradient = try BLAS.product(w, d)            // W D
        for index in 0..<w.storage.count { w.storage[index] -= gradientScale * eta * gradient.storage[index] }
        iterates.append(w)
    }
    return iterates
}

@Suite struct EffectiveDynamicsTests {
    let d = 40, r = 4, rs = 3

    func teacherAndStart(seed: UInt64) throws -> (TeacherSpectrum, RotatedTeacher, Matrix) {
        var random = TestRandom(state: seed)
        let spectrum = try TeacherSpectrum.powerLaw(exponent: 1, count: r)
        let teacher = try RotatedTeacher(spectrum: spectrum, dimension: d, random: &random)
        let w0 = random.matrix(rs, d, scale: 0.3 / Double(d).squareRoot())
        return (spectrum, teacher, w0)
    }

    /// The overlap map of gradient descent is exact at finite `d`: 400 steps of `η = 0.02` agree with
    /// the `d = 40` iteration of `W` on `G = MᵀM`, `K`, and the risk to 1e-11; the same iteration
    /// with half the gradient (a wrong map) is far off.
    @Test func populationGradientDescentMatchesTheIterationOfW() throws {
        let (spectrum, teacher, w0) = try teacherAndStart(seed: 11)
        let eta = 0.02, steps = 400
        let dynamics = try QuadraticPopulationGradientDescent(spectrum: spectrum, studentWidth: rs, learningRate: eta)
        let saveSteps = [0, 1, 7, 100, 399, 400]
        let problem = try OverlapProblem(dynamics: dynamics, initialState: try teacher.overlapState(of: w0),
                                         finalTime: Double(steps) * eta, saveTimes: saveSteps.map { Double($0) * eta })
        let solution = try solve(problem, method: nil)
        #expect(solution.status == .success)
        #expect(solution.statistics.acceptedSteps == steps)
        #expect(solution.times.count == saveSteps.count)
        let iterates = try directGradientDescent(w0: w0, teacherMatrix: teacher.matrix, learningRate: eta, steps: steps)
        let wrong = try directGradientDescent(w0: w0, teacherMatrix: teacher.matrix, learningRate: eta, steps: steps, gradientScale: 2)
        var worst = 0.0, worstWrong = 0.0
        for (index, k) in saveSteps.enumerated() {
            let reference = try teacher.overlapState(of: iterates[k])
            worst = max(worst, relativeDifference(reference.signalGram, solution.signalGram(at: index)),
                        relativeDifference(reference.studentGram, solution.states[index].studentGram),
                        relativeDifference(directRisk(iterates[k], teacherMatrix: teacher.matrix), solution.risk[index]))
            let wrongState = try teacher.overlapState(of: wrong[k])
            worstWrong = max(worstWrong, relativeDifference(wrongState.signalGram, solution.signalGram(at: index)))
        }
        #expect(worst < 1e-11, "largest relative difference \(worst)")
        #expect(worstWrong > 1e-2, "the half-gradient iteration differs by only \(worstWrong)")
        // The risk decreases along the descent at this small step.
        #expect(zip(solution.risk, solution.risk.dropFirst()).allSatisfy { $0.1 <= $0.0 })
    }

    /// Escape times of a discrete dynamics lie on its grid: the first step at which `G_jj ≥ λ_j/2`
    /// in the iteration of `W`.
    @Test func discreteEscapeTimesAreTheFirstLearnedGridTimes() throws {
        let (spectrum, teacher, w0) = try teacherAndStart(seed: 5)
        let eta = 0.05, steps = 600
        let dynamics = try QuadraticPopulationGradientDescent(spectrum: spectrum, studentWidth: rs, learningRate: eta)
        let problem = try OverlapProblem(dynamics: dynamics, initialState: try teacher.overlapState(of: w0),
                                         finalTime: Double(steps) * eta, saveTimes: [Double(steps) * eta])
        let solution = try solve(problem, method: nil)
        let iterates = try directGradientDescent(w0: w0, teacherMatrix: teacher.matrix, learningRate: eta, steps: steps)
        var located = 0
        for j in 0..<r {
            let firstStep = iterates.firstIndex { w in
                let g = (try? teacher.overlapState(of: w))?.signalGram
                return (g?[j, j] ?? 0) >= spectrum.values[j] / 2
            }
            if let firstStep {
                located += 1
                #expect(solution.escapeTimes[j] == Double(firstStep) * eta, "direction \(j): \(String(describing: solution.escapeTimes[j])) vs step \(firstStep)")
            } else {
                #expect(solution.escapeTimes[j] == nil)
            }
        }
        #expect(located >= 3, "the test needs escapes to check; found \(located)")
    }

    /// As `η → 0` gradient descent at `t = ηk` approaches the gradient flow at `t` with a first-order
    /// error (halving `η` halves it); compared at the wrong times `t = 2ηk` the error does not shrink.
    @Test func gradientDescentConvergesToTheFlowAtFirstOrder() throws {
        let (spectrum, teacher, w0) = try teacherAndStart(seed: 3)
        let initial = try teacher.overlapState(of: w0)
        let finalTime = 2.0
        let flow = try solve(try OverlapProblem(spectrum: spectrum, initialState: initial, finalTime: 2 * finalTime,
                                                saveTimes: [finalTime, 2 * finalTime]),
                             method: .exact(ExactPropagatorOptions()))
        func error(_ eta: Double, flowIndex: Int) throws -> Double {
            let dynamics = try QuadraticPopulationGradientDescent(spectrum: spectrum, studentWidth: rs, learningRate: eta)
            let descent = try solve(try OverlapProblem(dynamics: dynamics, initialState: initial, finalTime: finalTime,
                                                       saveTimes: [finalTime]), method: nil)
            return relativeDifference(descent.signalGram(at: 0), flow.signalGram(at: flowIndex))
        }
        let coarse = try error(0.01, flowIndex: 0), fine = try error(0.005, flowIndex: 0)
        let ratio = coarse / fine
        #expect(ratio > 1.8 && ratio < 2.2, "error ratio \(ratio) (\(coarse), \(fine))")
        let wrongCoarse = try error(0.01, flowIndex: 1), wrongFine = try error(0.005, flowIndex: 1)
        #expect(wrongCoarse / wrongFine < 1.2, "at the wrong times the error still shrank: \(wrongCoarse) → \(wrongFine)")
    }

    /// The generic path of `solve` (a conformer without the internal shortcuts) gives the same risk
    /// series, bit for bit, as the built-in gradient flow with DOPRI5, and escape times located
    /// with the vector field's slope agree with the closed-form ones to 1e-9; a conformer whose
    /// risk is off by 1e-3 is seen.
    @Test func aGenericConformerSharesTheDriverAndObservables() throws {
        let spectrum = try TeacherSpectrum.powerLaw(exponent: 1, count: 6)
        let initial = try RandomInitialization(studentWidth: 4, teacherWidth: 6, dimension: 1e4, sigma0: 1, seed: 2).sample()
        let saveTimes = try SaveTimes.logSpaced(count: 12, finalTime: 400)
        let builtIn = try solve(try OverlapProblem(spectrum: spectrum, initialState: initial, finalTime: 400, saveTimes: saveTimes),
                                method: .dormandPrince(DormandPrinceOptions(relativeTolerance: 1e-9, absoluteTolerance: 1e-12)))
        let generic = GenericGradientFlow(flow: try QuadraticGradientFlow(spectrum: spectrum, studentWidth: 4))
        let viaProtocol = try solve(try OverlapProblem(dynamics: generic, initialState: initial, finalTime: 400, saveTimes: saveTimes),
                                    method: .dormandPrince(DormandPrinceOptions(relativeTolerance: 1e-9, absoluteTolerance: 1e-12)))
        #expect(viaProtocol.risk == builtIn.risk)
        #expect(viaProtocol.dynamicsName == "generic-gradient-flow")
        let escapes = zip(builtIn.escapeTimes, viaProtocol.escapeTimes).compactMap { a, b -> Double? in
            guard let a, let b else { return a == nil && b == nil ? 0 : .infinity }
            return abs(a - b) / a
        }
        #expect(builtIn.escapeTimes.compactMap { $0 }.count >= 3)
        #expect(escapes.allSatisfy { $0 < 1e-9 }, "escape-time differences \(escapes)")
        var skewed = generic
        skewed.riskFactor = 1.001
        let skewedSolution = try solve(try OverlapProblem(dynamics: skewed, initialState: initial, finalTime: 400, saveTimes: saveTimes),
                                       method: .rungeKutta4(step: 0.5))
        let plain = try solve(try OverlapProblem(dynamics: generic, initialState: initial, finalTime: 400, saveTimes: saveTimes),
                              method: .rungeKutta4(step: 0.5))
        #expect(zip(skewedSolution.risk, plain.risk).allSatisfy { abs($0.0 / $0.1 - 1.001) < 1e-12 })
        #expect(throws: RiccatiError.self) {
            try solve(try OverlapProblem(dynamics: generic, initialState: initial, finalTime: 1, saveTimes: [1]),
                      method: .exact(ExactPropagatorOptions()))
        }
    }

    /// What does not apply is refused with structured errors before any work.
    @Test func inapplicableMethodsAndOffGridTimesAreRefused() throws {
        let (spectrum, teacher, w0) = try teacherAndStart(seed: 1)
        let initial = try teacher.overlapState(of: w0)
        let descent = try QuadraticPopulationGradientDescent(spectrum: spectrum, studentWidth: rs, learningRate: 0.1)
        let onGrid = try OverlapProblem(dynamics: descent, initialState: initial, finalTime: 1, saveTimes: [0.3, 1])
        #expect(onGrid.saveTimes == [3 * 0.1, 10 * 0.1])
        do {
            _ = try solve(onGrid, method: .exact(ExactPropagatorOptions()))
            Issue.record("the exact propagator was accepted for gradient descent")
        } catch {
            guard case .unsupportedMethod(let method, let dynamics, _) = error else { Issue.record("\(error)"); return }
            #expect(method == "exact" && dynamics == "population-gradient-descent")
        }
        do {
            _ = try OverlapProblem(dynamics: descent, initialState: initial, finalTime: 1, saveTimes: [0.25, 1])
            Issue.record("an off-grid save time was accepted")
        } catch {
            #expect(error.parameterNames == ["saveTimes[0]"])
            #expect(error.message(naming: { $0 == "saveTimes[0]" ? "--save-at" : $0 }).hasPrefix("--save-at must be a whole multiple"))
        }
        #expect(throws: RiccatiError.invalid("learningRate", -0.1, "must be finite and > 0")) {
            _ = try QuadraticPopulationGradientDescent(spectrum: spectrum, studentWidth: rs, learningRate: -0.1)
        }
        let flow = try OverlapProblem(spectrum: spectrum, initialState: initial, finalTime: 1, saveTimes: [1])
        do {
            _ = try solve(flow, method: nil)
            Issue.record("a continuous dynamics was solved without a method")
        } catch {
            #expect(error.parameterNames == ["method"])
        }
    }

    /// The methods' options have defaults: `.exact()`, `.dormandPrince()`, `.dormandPrince853()`
    /// are the methods with default options, and solve like them.
    @Test func methodsHaveDefaultOptions() throws {
        #expect(IntegrationMethod.exact() == .exact(ExactPropagatorOptions()))
        #expect(IntegrationMethod.dormandPrince() == .dormandPrince(DormandPrinceOptions()))
        #expect(IntegrationMethod.dormandPrince853() == .dormandPrince853(AdaptiveStepOptions()))
        #expect(IntegrationMethod.exact() != .exact(ExactPropagatorOptions(factorization: .cholesky)))
        let spectrum = try TeacherSpectrum.powerLaw(exponent: 1, count: 4)
        let initial = try RandomInitialization(studentWidth: 2, teacherWidth: 4, dimension: 100, seed: 1).sample()
        let problem = try OverlapProblem(spectrum: spectrum, initialState: initial, finalTime: 5, saveTimes: [1, 5])
        #expect(try solve(problem, method: .exact()).risk == solve(problem, method: .exact(ExactPropagatorOptions())).risk)
    }

    /// A diverging map ends with `nonFiniteState` and keeps the saves before the divergence.
    @Test func aDivergingMapStopsWithItsSaves() throws {
        let spectrum = try TeacherSpectrum([1, 0.5])
        let initial = try OverlapState(overlap: try Matrix([[3, 0], [0, 3]]))
        let descent = try QuadraticPopulationGradientDescent(spectrum: spectrum, studentWidth: 2, learningRate: 0.5)
        let solution = try solve(try OverlapProblem(dynamics: descent, initialState: initial, finalTime: 50, saveTimes: [0, 50]),
                                 method: nil)
        #expect(solution.status == .nonFiniteState)
        #expect(solution.times == [0])
        #expect(solution.message.contains("learning rate"))
    }

    /// `Solution` round-trips through JSON; a decoded solution rebuilds its dynamics and
    /// re-propagates between saves to the same bits as the original; damaged JSON is refused.
    @Test func solutionsAreCodable() throws {
        let spectrum = try TeacherSpectrum.powerLaw(exponent: 1, count: 5)
        let initial = try RandomInitialization(studentWidth: 3, teacherWidth: 5, dimension: 1e3, sigma0: 1, seed: 9).sample()
        let original = try solve(try OverlapProblem(spectrum: spectrum, initialState: initial, finalTime: 50, saveTimes: [1, 10, 50]),
                                 method: .exact(ExactPropagatorOptions(factorization: .cholesky)))
        let data = try JSONEncoder().encode(original)
        let decoded = try JSONDecoder().decode(Solution.self, from: data)
        #expect(decoded.times == original.times)
        #expect(decoded.states == original.states)
        #expect(decoded.observables == original.observables)
        #expect(decoded.escapeTimes == original.escapeTimes)
        #expect(decoded.method == original.method)
        #expect(decoded.dynamics == .gradientFlow)
        #expect(decoded.statistics == original.statistics)
        #expect(try decoded.state(at: 20) == original.state(at: 20))

        let descent = try QuadraticPopulationGradientDescent(spectrum: spectrum, studentWidth: 3, learningRate: 0.01)
        let discrete = try solve(try OverlapProblem(dynamics: descent, initialState: initial, finalTime: 2, saveTimes: [0.5, 2]), method: nil)
        let decodedDiscrete = try JSONDecoder().decode(Solution.self, from: try JSONEncoder().encode(discrete))
        #expect(decodedDiscrete.method == nil)
        #expect(try decodedDiscrete.state(at: 1.2) == discrete.state(at: 1.2))
        #expect(throws: RiccatiError.self) { _ = try discrete.state(at: 1.205) }

        // Negative control: one state fewer than times.
        var object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        var states = try #require(object["states"] as? [Any])
        states.removeLast()
        object["states"] = states
        let damaged = try JSONSerialization.data(withJSONObject: object)
        #expect(throws: DecodingError.self) { _ = try JSONDecoder().decode(Solution.self, from: damaged) }
    }
}
