import Foundation
import Testing
@testable import Riccati

/// The tableaus are data: their consistency conditions are checked here on the numbers as
/// typed, and their validation names the offending field.
@Suite struct RungeKuttaTableauTests {
    /// The largest violation of the conditions every consistent tableau meets: `c_i = Σ_j a_ij`
    /// (extra stages included), `Σ b = 1`, error weights summing to 0 (both solutions of the pair
    /// are consistent), and dense-output rows summing to 0 (a constant slope is interpolated
    /// exactly by `r₁ … r₄`).
    func consistencyDefect(_ tableau: ButcherTableau) -> Double {
        var worst = abs(tableau.b.reduce(0, +) - 1)
        for (i, row) in tableau.a.enumerated() where i > 0 { worst = max(worst, abs(row.reduce(0, +) - tableau.c[i])) }
        if let estimate = tableau.errorEstimate {
            worst = max(worst, abs(estimate.weights.reduce(0, +)))
            if let correction = estimate.correction { worst = max(worst, abs(correction.weights.reduce(0, +))) }
        }
        if let dense = tableau.denseOutput {
            for (m, row) in dense.extraA.enumerated() { worst = max(worst, abs(row.reduce(0, +) - dense.extraNodes[m])) }
            for row in dense.rows { worst = max(worst, abs(row.reduce(0, +)) / max(1, row.map(abs).max() ?? 1)) }
        }
        return worst
    }

    @Test func builtInTableausAreConsistentAsTyped() throws {
        for tableau in [ButcherTableau.classicalRK4, .dormandPrince54, .dormandPrince853] {
            try tableau.validate()
            let defect = consistencyDefect(tableau)
            #expect(defect < 1e-14, "\(tableau.name): consistency defect \(defect)")
        }
        #expect(ButcherTableau.dormandPrince853.stageCount == 13 && ButcherTableau.dormandPrince853.extendedStageCount == 16)
        // Negative control: one digit changed in one coefficient of DOP853 (a[8][5], the 4th
        // significant digit) shows up as a row-sum defect far above round-off.
        var typo = ButcherTableau.dormandPrince853
        typo.a[8][5] = 2.75930996994467083049415600797e1
        #expect(consistencyDefect(typo) > 1e-4)
    }

    @Test func invalidTableausAreRejectedByName() throws {
        func rejectedName(_ tableau: ButcherTableau) -> [String] {
            do { try tableau.validate() } catch { return error.parameterNames }
            return []
        }
        var shortRow = ButcherTableau.classicalRK4
        shortRow.a[2] = [0.5]
        #expect(rejectedName(shortRow) == ["tableau.a[2]"])
        var nonFinite = ButcherTableau.dormandPrince54
        nonFinite.b[3] = .nan
        #expect(rejectedName(nonFinite) == ["tableau.b[3]"])
        var brokenFSAL = ButcherTableau.dormandPrince54
        brokenFSAL.a[6][0] += 1e-3
        #expect(rejectedName(brokenFSAL).first == "tableau.firstSameAsLast")
        var shortDense = ButcherTableau.dormandPrince853
        shortDense.denseOutput?.rows[1].removeLast()
        #expect(rejectedName(shortDense) == ["tableau.denseOutput.rows[1]"])
        var shortWeights = ButcherTableau.bogackiShampine32
        shortWeights.errorEstimate?.weights.removeLast()
        #expect(rejectedName(shortWeights).first == "tableau.errorEstimate.weights")
        var misplacedStiffness = ButcherTableau.dormandPrince853
        misplacedStiffness.stiffnessTest?.laterStage = 11
        #expect(rejectedName(misplacedStiffness) == ["tableau.stiffnessTest.laterStage"])
        // Control: the valid tableaus pass.
        #expect(rejectedName(.threeEighthsRule).isEmpty && rejectedName(.bogackiShampine32).isEmpty)
    }

    @Test func methodValidationNamesLibraryParametersNotFlags() throws {
        let problem = try smallProblem(finalTime: 1, saveTimes: [1])
        func names(_ method: IntegrationMethod) -> [String]? {
            do { _ = try solve(problem, method: method) } catch {
                #expect(!error.description.contains("--"), "\(error.description)")
                return error.parameterNames
            }
            return nil
        }
        #expect(names(.dormandPrince853(AdaptiveStepOptions(relativeTolerance: -1))) == ["options.relativeTolerance"])
        #expect(names(.dormandPrince(DormandPrinceOptions(relativeTolerance: 1e-6, absoluteTolerance: .infinity))) == ["options.absoluteTolerance"])
        var badSafety = AdaptiveStepOptions()
        badSafety.safety = 1.5
        #expect(names(.dormandPrince853(badSafety)) == ["options.safety"])
        #expect(names(.rungeKutta(.threeEighthsRule)) == ["step"])                 // no error estimate, no step
        #expect(names(.rungeKutta(.threeEighthsRule, step: -0.1)) == ["step"])
        var shortRow = ButcherTableau.threeEighthsRule
        shortRow.a[3] = [1, -1]
        #expect(names(.rungeKutta(shortRow, step: 0.1)) == ["tableau.a[3]"])
        // Controls: the same methods with valid values run.
        #expect(names(.rungeKutta(.threeEighthsRule, step: 0.1)) == nil)
        #expect(names(.rungeKutta(.bogackiShampine32)) == nil)
        #expect(names(.dormandPrince853(AdaptiveStepOptions())) == nil)
        for method in [IntegrationMethod.rungeKutta4(step: 1), .dormandPrince(DormandPrinceOptions()), .dormandPrince853(AdaptiveStepOptions()),
                       .rungeKutta(.threeEighthsRule, step: 1), .exact(ExactPropagatorOptions())] {
            #expect(!(method.divergenceHint ?? "").contains("--"), "\(method.name): \(method.divergenceHint ?? "")")
        }
    }

    @Test func theExactMethodIsNotAStepperOfAGeneralSystem() throws {
        #expect(throws: RiccatiError.self) {
            try integrate(DampedRotations(), initialState: DampedRotations.initialState, finalTime: 1, saveTimes: [1],
                          method: .exact(ExactPropagatorOptions()))
        }
    }
}
