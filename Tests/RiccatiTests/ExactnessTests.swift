import Foundation
import LinearAlgebra
import Testing
@testable import Riccati

/// The overlap ODE against a direct integration of the d-dimensional gradient flow.
@Suite struct OverlapExactnessTests {
    struct Comparison {
        var signalGram = 0.0
        var spectrum = 0.0
        var risk = 0.0
        var overlapEntries = 0.0
        var worst: Double { max(signalGram, spectrum, risk) }
    }

    /// Integrates `W` directly (DOPRI5 at rtol 1e-12) and the overlap ODE (exact propagator)
    /// from the same `W0`, and returns the largest relative discrepancies of the invariants.
    func compare(linearSign: Double) throws -> Comparison {
        var random = TestRandom(state: 2024)
        let d = 40, r = 5, rs = 3
        let spectrum = try TeacherSpectrum.powerLaw(exponent: 1, count: r)
        let teacher = try RotatedTeacher(spectrum: spectrum, dimension: d, random: &random)
        let w0 = random.matrix(rs, d, scale: 1 / Double(d).squareRoot())
        let saveTimes = [0.25, 0.5, 1, 2, 3]
        var options = DormandPrinceOptions(relativeTolerance: 1e-12, absoluteTolerance: 1e-14)
        options.maxSteps = 1_000_000
        let direct = try integrate(DirectGradientFlow(teacherMatrix: teacher.matrix, rows: rs, linearSign: linearSign),
                                   initialState: w0.storage, finalTime: 3, saveTimes: saveTimes,
                                   method: .dormandPrince(options))
        guard direct.status == .success, direct.states.count == saveTimes.count else {
            return Comparison(signalGram: .infinity, spectrum: .infinity, risk: .infinity, overlapEntries: .infinity)
        }
        let problem = try OverlapProblem(spectrum: spectrum, initialState: try teacher.overlapState(of: w0),
                                         finalTime: 3, saveTimes: saveTimes)
        let overlap = try solve(problem, method: .exact(ExactPropagatorOptions()))
        var result = Comparison()
        for (index, packed) in direct.states.enumerated() {
            let w = try Matrix(rows: rs, columns: d, storage: packed)
            let reference = try teacher.overlapState(of: w)
            result.signalGram = max(result.signalGram, relativeDifference(reference.signalGram, overlap.signalGram(at: index)))
            let spectrumDirect = try LinearAlgebra.symmetricEigenvalues(reference.studentGram)
            let spectrumOverlap = try LinearAlgebra.symmetricEigenvalues(overlap.states[index].studentGram)
            for (a, b) in zip(spectrumDirect, spectrumOverlap) {
                result.spectrum = max(result.spectrum, abs(a - b) / max(1, abs(a)))
            }
            result.risk = max(result.risk, relativeDifference(directRisk(w, teacherMatrix: teacher.matrix), overlap.risk[index]))
            result.overlapEntries = max(result.overlapEntries, relativeDifference(reference.overlap, overlap.states[index].overlap))
        }
        return result
    }

    @Test func overlapODEMatchesTheDirectFlow() throws {
        let result = try compare(linearSign: 1)
        #expect(result.signalGram < 1e-9, "G: \(result.signalGram)")
        #expect(result.spectrum < 1e-9, "spectrum of K: \(result.spectrum)")
        #expect(result.risk < 1e-9, "risk: \(result.risk)")
        // M itself is exact only up to a rotation M → UM (the propagator's K_h^{-1/2} fixes one
        // gauge, the flow another): its entries differ although every invariant agrees.
        #expect(result.overlapEntries > 1e-6, "M entries: \(result.overlapEntries)")
    }

    @Test func aWrongRightHandSideFailsTheExactnessTest() throws {
        let result = try compare(linearSign: -1)
        #expect(result.worst > 1e-3, "a sign-flipped teacher term must be detected, got \(result.worst)")
    }

    @Test func closedFormRiskMatchesModelFormula() throws {
        // R = 2(‖G−Λ‖² + 2tr(MᵀPM) + ‖P‖²) equals MODEL.md's 2(‖K‖² − 2tr(MΛMᵀ) + ‖λ‖²).
        let problem = try smallProblem()
        let solution = try solve(problem, method: .exact(ExactPropagatorOptions()))
        for (index, state) in solution.states.enumerated() {
            let k = state.studentGram
            var traceTerm = 0.0
            for i in 0..<state.studentWidth {
                for j in 0..<state.teacherWidth { traceTerm += state.overlap[i, j] * state.overlap[i, j] * problem.spectrum.values[j] }
            }
            let model = 2 * (pow(k.frobeniusNorm, 2) - 2 * traceTerm + problem.spectrum.squaredNorm)
            #expect(relativeDifference(model, solution.risk[index]) < 1e-12)
        }
    }
}

@Suite struct PropagatorTests {
    @Test func smallStepsAndCappedStepsGiveTheSameState() throws {
        let problem = try smallProblem(finalTime: 10)
        let capped = try solve(problem, method: .exact(ExactPropagatorOptions()))
        let fine = try solve(problem, method: .exact(ExactPropagatorOptions(maxStep: 0.01)))
        #expect(fine.statistics.acceptedSteps >= 1000)
        #expect(capped.statistics.acceptedSteps < fine.statistics.acceptedSteps / 10)
        let discrepancy = solutionDiscrepancy(capped, fine)
        #expect(discrepancy < 1e-10, "capped vs 0.01 steps: \(discrepancy)")
    }

    @Test func propagatorAgreesWithDormandPrinceAtTightTolerance() throws {
        let problem = try smallProblem(finalTime: 10)
        let exact = try solve(problem, method: .exact(ExactPropagatorOptions()))
        let dopri = try solve(problem, method: .dormandPrince(DormandPrinceOptions(relativeTolerance: 1e-12, absoluteTolerance: 1e-14)))
        #expect(dopri.status == .success)
        let discrepancy = solutionDiscrepancy(exact, dopri)
        #expect(discrepancy < 1e-9, "exact vs DOPRI5 rtol 1e-12: \(discrepancy)")
        // Negative control: a loose tolerance is visibly less accurate.
        let loose = try solve(problem, method: .dormandPrince(DormandPrinceOptions(relativeTolerance: 1e-3, absoluteTolerance: 1e-6)))
        #expect(solutionDiscrepancy(exact, loose) > 1e-8)
    }

    @Test func choleskyFactorizationGivesTheSameInvariants() throws {
        let problem = try smallProblem(r: 6, rs: 4, d: 50, finalTime: 20, saveTimes: [0.5, 2, 5, 20])
        let root = try solve(problem, method: .exact(ExactPropagatorOptions()))
        // Same cap as the symmetric root (12), so that only the factorisation differs.
        let cholesky = try solve(problem, method: .exact(ExactPropagatorOptions(stepExponentCap: 12, factorization: .cholesky)))
        #expect(cholesky.statistics.eigendecompositions == 0)
        #expect(solutionDiscrepancy(root, cholesky) < 1e-12)
        for index in root.times.indices {
            let a = try LinearAlgebra.symmetricEigenvalues(root.states[index].studentGram)
            let b = try LinearAlgebra.symmetricEigenvalues(cholesky.states[index].studentGram)
            for (x, y) in zip(a, b) { #expect(abs(x - y) < 1e-12 * max(1, abs(x))) }
        }
        // The two gauges differ: M itself is not the same matrix.
        #expect(relativeDifference(root.states[1].overlap, cholesky.states[1].overlap) > 1e-6)
        // With the Cholesky step too, capped steps match 0.01 steps: at c = 12 to 1e-10, and at the
        // Cholesky default c = 20 (1.7× fewer steps) to 1e-9.
        let fine = try solve(problem, method: .exact(ExactPropagatorOptions(maxStep: 0.01, factorization: .cholesky)))
        #expect(solutionDiscrepancy(cholesky, fine) < 1e-10)
        let defaultCap = try solve(problem, method: .exact(ExactPropagatorOptions(factorization: .cholesky)))
        #expect(ExactPropagatorOptions(factorization: .cholesky).stepExponentCap == 20)
        #expect(defaultCap.statistics.acceptedSteps < cholesky.statistics.acceptedSteps)
        #expect(solutionDiscrepancy(defaultCap, fine) < 1e-9)
    }

    @Test func stateAtAnyTimeEqualsSavingThere() throws {
        let problem = try smallProblem(finalTime: 10)
        let solution = try solve(problem, method: .exact(ExactPropagatorOptions()))
        let t = 2.7183
        let direct = try solve(try OverlapProblem(spectrum: problem.spectrum, initialState: problem.initialState,
                                                  finalTime: 10, saveTimes: [t]),
                               method: .exact(ExactPropagatorOptions()))
        let evaluated = try solution.state(at: t)
        #expect(relativeDifference(evaluated.signalGram, direct.signalGram(at: 0)) < 1e-12)
        #expect(throws: RiccatiError.self) { try solution.state(at: 11) }
    }

    @Test func zeroEigenvaluesOfTheTeacherAreHandled() throws {
        // Some λ_j = 0: S_jj = h exactly; compare against DOPRI5.
        let spectrum = try TeacherSpectrum([0.8, 0.5, 0, 0])
        let state = try RandomInitialization(studentWidth: 3, teacherWidth: 4, dimension: 30, seed: 5).sample()
        let problem = try OverlapProblem(spectrum: spectrum, initialState: state, finalTime: 20, saveTimes: [1, 5, 20])
        let exact = try solve(problem, method: .exact(ExactPropagatorOptions()))
        let dopri = try solve(problem, method: .dormandPrince(DormandPrinceOptions(relativeTolerance: 1e-11, absoluteTolerance: 1e-13)))
        #expect(solutionDiscrepancy(exact, dopri) < 1e-8)
        #expect(exact.alignment[0][2] == nil)
    }
}
