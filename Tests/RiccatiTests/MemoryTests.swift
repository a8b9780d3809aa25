import Foundation
import LinearAlgebra
import Testing
@testable import Riccati

/// The risk without an `r×r` workspace, the memory estimate of a solve, and subnormal `λ`.
@Suite struct MemoryTests {
    /// The risk in the form the evaluator used before it worked in blocks: all of `G = MᵀM` at
    /// once, the same sum of non-negative terms.
    static func wholeGramRisk(_ state: OverlapState, lambda: [Double]) -> Double {
        let g = state.signalGram, r = lambda.count
        var signalError = 0.0
        for j in 0..<r {
            let diagonal = g[j, j] - lambda[j]
            signalError += diagonal * diagonal
            var offDiagonal = 0.0
            for k in (j + 1)..<max(j + 1, r) { offDiagonal += g[j, k] * g[j, k] }
            signalError += 2 * offDiagonal
        }
        let pm = (try? BLAS.product(state.orthogonalGram, state.overlap)) ?? Matrix(rows: 0, columns: 0)
        var cross = 0.0
        for index in 0..<pm.storage.count { cross += pm.storage[index] * state.overlap.storage[index] }
        var orthogonal = 0.0
        for value in state.orthogonalGram.storage { orthogonal += value * value }
        return 2 * (signalError + 2 * cross + orthogonal)
    }

    /// The expanded form `2 (‖K‖_F² − 2 tr(MΛMᵀ) + ‖λ‖²)`: equal in exact arithmetic, but it cancels.
    static func expandedRisk(_ state: OverlapState, lambda: [Double]) -> Double {
        let k = state.studentGram
        var kNorm = 0.0
        for value in k.storage { kNorm += value * value }
        var trace = 0.0
        for i in 0..<state.studentWidth { for j in 0..<lambda.count { trace += lambda[j] * state.overlap[i, j] * state.overlap[i, j] } }
        return 2 * (kNorm - 2 * trace + lambda.reduce(0) { $0 + $1 * $1 })
    }

    static func evaluatorRisk(_ state: OverlapState, spectrum: TeacherSpectrum) -> Double {
        let evaluator = QuadraticRiskEvaluator(spectrum: spectrum, studentWidth: state.studentWidth)
        return state.packed.withUnsafeBufferPointer { evaluator.risk(packed: $0.baseAddress!) }
    }

    @Test func blockedRiskMatchesTheWholeGramFormulaOnRandomStates() throws {
        // r = 1500 is split into blocks of ⌊2²⁰/1500⌋ = 699 columns; r = 300 is one block.
        for (r, rs, seed) in [(1500, 3, UInt64(1)), (1500, 7, 2), (300, 5, 3), (1025, 2, 4)] {
            let spectrum = try TeacherSpectrum.powerLaw(exponent: 1, count: r)
            let state = try RandomInitialization(studentWidth: rs, teacherWidth: r, dimension: Double(4 * r), sigma0: 1.5, seed: seed).sample()
            let blocked = Self.evaluatorRisk(state, spectrum: spectrum)
            let whole = Self.wholeGramRisk(state, lambda: spectrum.values)
            #expect(abs(blocked - whole) <= 1e-13 * whole, "r = \(r): \(blocked) vs \(whole)")
            if r <= 1024 { #expect(blocked == whole, "one block must give the same bits") }
            #expect(QuadraticRiskEvaluator(spectrum: spectrum, studentWidth: rs).blockWidth == QuadraticRiskEvaluator.blockWidth(teacherWidth: r))
        }
        #expect(QuadraticRiskEvaluator.blockWidth(teacherWidth: 1500) == 699)
    }

    /// Near zero risk, with the exact value known: `M = [diag(√λ_1..4) | 0] + ε e_1 e_cᵀ` with
    /// `λ_j = 0` beyond 4 has `G − Λ` nonzero only at `(1, c)`, `(c, 1)` (`√λ_1 ε`) and `(c, c)`
    /// (`ε²`): `R = 2 (2 λ_1 ε² + ε⁴)`. Column `c` lies in another block than column 1 (`c = 1000`)
    /// or the same one (`c = 3`).
    @Test func blockedRiskKeepsRelativeAccuracyNearZeroRisk() throws {
        let r = 1500, rs = 4
        var lambda = [Double](repeating: 0, count: r)
        lambda[0] = 0.6; lambda[1] = 0.3; lambda[2] = 0.2; lambda[3] = 0.1
        let spectrum = try TeacherSpectrum(lambda)
        for (column, epsilon) in [(1000, 1e-9), (3, 1e-9), (1499, 1e-6)] {
            var m = Matrix(rows: rs, columns: r)
            for i in 0..<rs { m[i, i] = lambda[i].squareRoot() }
            m[0, column] += epsilon
            let state = try OverlapState(overlap: m)
            let exact = 2 * (2 * lambda[0] * epsilon * epsilon + pow(epsilon, 4))
            let blocked = Self.evaluatorRisk(state, spectrum: spectrum)
            #expect(abs(blocked - exact) <= 1e-12 * exact, "c = \(column), ε = \(epsilon): \(blocked) vs exact \(exact)")
            // Negative control: the expanded form loses every digit at this risk.
            let expanded = Self.expandedRisk(state, lambda: lambda)
            if epsilon < 1e-8 { #expect(!(abs(expanded - exact) <= 1e-3 * exact), "the expanded form should cancel: \(expanded) vs \(exact)") }
        }
    }

    @Test func riskWorkspaceStaysLinearInTheTeacherWidth() {
        // The example: r = 1e5, r_s = 1. G whole would be 1e10 doubles (80 GB).
        let workspace = QuadraticRiskEvaluator.workspaceDoubles(studentWidth: 1, teacherWidth: 100_000)
        #expect(workspace <= Double(QuadraticRiskEvaluator.blockEntries) + 2e5)
        #expect(workspace < 1e-3 * 1e10)
        // Small widths keep the whole G (one block): r² doubles.
        #expect(QuadraticRiskEvaluator.workspaceDoubles(studentWidth: 2, teacherWidth: 100) == 100 * 100 + 200)
    }

    @Test func solveEstimateIsLinearInTheTeacherWidthAndCountsEverySave() {
        let exact = IntegrationMethod.exact(ExactPropagatorOptions())
        let small = OverlapProblem.memoryEstimate(studentWidth: 1, teacherWidth: 100_000, saveCount: 2, method: exact)
        #expect(small < 100e6, "\(small)")                        // tens of MB, not the 80 GB of an r×r G
        let more = OverlapProblem.memoryEstimate(studentWidth: 1, teacherWidth: 100_000, saveCount: 1002, method: exact)
        // 1000 more saves of 2n + 2r + r_s + 4 doubles, n = r_s·r + r_s².
        #expect(abs((more - small) - 1000 * 8 * (2 * 100_001 + 200_000 + 5)) < 1)
        let dopri = OverlapProblem.memoryEstimate(studentWidth: 1, teacherWidth: 100_000, saveCount: 2, method: .dormandPrince())
        #expect(dopri > small)
    }

    @Test func budgetIsTheSmallestLimitLessTheReservation() {
        #expect(MemoryBudget.limitBytes <= MemoryBudget.physicalBytes)
        #expect(MemoryBudget.limitBytes <= MemoryBudget.addressSpaceLimit)
        #expect(MemoryBudget.availableBytes == max(0, MemoryBudget.limitBytes - MemoryBudget.reservedBytes))
        #expect(throws: RiccatiError.self) { try MemoryBudget.check(MemoryBudget.availableBytes * 2 + 1, names: ["saveTimes"], what: "x") }
        #expect(throws: RiccatiError.self) { try MemoryBudget.check(.infinity, names: ["saveTimes"], what: "x") }
        #expect(throws: Never.self) { try MemoryBudget.check(1, names: ["saveTimes"], what: "x") }
        do {
            try MemoryBudget.check(.infinity, names: ["saveTimes", "teacherWidth"], what: "the saves")
        } catch {
            #expect(error.parameterNames == ["saveTimes", "teacherWidth"])
        }
    }

    @Test func signalGramDiagonalAndNormNeedNoWholeGram() throws {
        let state = try RandomInitialization(studentWidth: 3, teacherWidth: 40, dimension: 100, seed: 7).sample()
        let g = state.signalGram
        let diagonal = state.signalGramDiagonal
        for j in 0..<40 { #expect(abs(diagonal[j] - g[j, j]) <= 1e-15 * max(1, g[j, j])) }
        #expect(abs(state.signalGramNorm - g.frobeniusNorm) <= 1e-13 * g.frobeniusNorm)
    }

    // MARK: subnormal λ

    @Test func growthIntegralOfTheSmallestSubnormalRate() {
        for rate in [5e-324, 2e-323, 1e-310] {
            for h in [1e-6, 0.01, 0.06, 1, 75] {
                let value = GrowthCoefficients.integral(rate: rate, step: h)
                #expect(abs(value - h) <= 4e-16 * h, "λ = \(rate), h = \(h): \(value)")
            }
        }
        // Negative control: the quotient form underflows to 0 (or is off by up to 50%) there.
        let quotient = -expm1(-8 * 5e-324 * 0.01) / (8 * 5e-324)
        #expect(quotient == 0)
        let offByRounding = -expm1(-8 * 5e-324 * 0.3) / (8 * 5e-324)
        #expect(abs(offByRounding - 0.3) > 0.01)
        // A normal rate keeps the closed form, bit for bit.
        #expect(GrowthCoefficients.integral(rate: 0.5, step: 0.1) == -expm1(-8 * 0.5 * 0.1) / (8 * 0.5))
    }

    @Test(arguments: [[1, 0.5, 2e-323, 5e-324], [1, 5e-324], [0.7, 2e-323, 2e-323, 0]])
    func subnormalSpectrumAgreesAcrossMethods(_ values: [Double]) throws {
        let spectrum = try TeacherSpectrum(values)
        let rs = 2
        let initial = try RandomInitialization(studentWidth: rs, teacherWidth: values.count, dimension: 64, sigma0: 0.5, seed: 3).sample()
        let saves = try SaveTimes.logSpaced(count: 12, finalTime: 20)
        let problem = try OverlapProblem(spectrum: spectrum, initialState: initial, finalTime: 20, saveTimes: saves)
        let reference = try solve(problem, method: .dormandPrince(DormandPrinceOptions(relativeTolerance: 1e-11, absoluteTolerance: 1e-14)))
        #expect(reference.status.isSuccess)
        for factorization in PropagatorFactorization.allCases {
            let solution = try solve(problem, method: .exact(ExactPropagatorOptions(factorization: factorization)))
            #expect(solution.status.isSuccess, "\(factorization): \(solution.status) \(solution.message)")
            guard solution.status.isSuccess else { continue }
            for index in reference.times.indices {
                let a = solution.risk[index], b = reference.risk[index]
                #expect(abs(a - b) <= 1e-6 * max(b, 1e-12), "\(factorization) at t = \(reference.times[index]): \(a) vs \(b)")
                let ga = solution.states[index].signalGramDiagonal, gb = reference.states[index].signalGramDiagonal
                for j in ga.indices { #expect(abs(ga[j] - gb[j]) <= 1e-7 * max(abs(gb[j]), 1e-3)) }
            }
        }
    }
}
