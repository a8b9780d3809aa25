import Foundation
import LinearAlgebra
import Monotonicity
import Riccati
import Testing
import TestSupport

@Suite struct ComparisonPrincipleTests {
    @Test func orderIsKeptForOverOneHundredRandomPairs() throws {
        let spectrum = try TeacherSpectrum.powerLaw(exponent: 1, count: 4)
        let saves = try SaveTimes.logSpaced(count: 10, finalTime: 30, decades: 3)
        var pairs = 0, worstMargin = Double.infinity
        var random = TestRandom(state: 77)
        for seed in 0..<30 {
            for smallInit in [false, true] {
                let state = try randomState(r: 4, rs: 3, d: 40, sigma0: 0.5 + random.uniform(), seed: UInt64(seed), smallInit: smallInit)
                for perturbation in [OrderedPerturbation.scaled(1 + random.uniform()),
                                     .randomIncrement(epsilon: 0.05 + random.uniform(), seed: UInt64(seed))] {
                    let runs = try ComparisonPrinciple.run(spectrum: spectrum, initialState: state, perturbation: perturbation,
                                                           finalTime: 30, saveTimes: saves, methods: [.exact(ExactPropagatorOptions())])
                    pairs += 1
                    let comparison = runs[0].comparison
                    #expect(comparison.orderPreserved, "seed \(seed) small \(smallInit) \(perturbation): \(String(describing: comparison.firstViolation))")
                    worstMargin = min(worstMargin, comparison.minMargin / max(1e-300, comparison.comparisons.map(\.tolerance).max()!))
                }
            }
        }
        #expect(pairs >= 120)
        // The margins never dip below the documented tolerance (ratio ≥ −1).
        #expect(worstMargin >= -1)
    }

    @Test func exactAndDormandPrinceAgree() throws {
        let spectrum = try TeacherSpectrum([2, 1])
        let state = try randomState(r: 2, rs: 2, d: 1024, sigma0: 1, seed: 3, smallInit: false)
        let saves = (1...20).map { 0.25 * Double($0) }
        let runs = try ComparisonPrinciple.run(spectrum: spectrum, initialState: state, perturbation: .scaled(1.25), finalTime: 5,
                                               saveTimes: saves, methods: [.exact(ExactPropagatorOptions()), .dormandPrince(DormandPrinceOptions())])
        #expect(runs.count == 2)
        for run in runs { #expect(run.comparison.orderPreserved) }
        // Both methods see the same margins up to DOPRI5's tolerance.
        for (a, b) in zip(runs[0].comparison.comparisons, runs[1].comparison.comparisons) {
            #expect(abs(a.smallestEigenvalue - b.smallestEigenvalue) < 1e-4 * max(1, abs(a.smallestEigenvalue)))
        }
    }

    @Test func swappingTheTrajectoriesReportsViolations() throws {
        let spectrum = try TeacherSpectrum.powerLaw(exponent: 1, count: 3)
        let state = try randomState(r: 3, rs: 3, d: 100, sigma0: 1, seed: 8, smallInit: false)
        let runs = try ComparisonPrinciple.run(spectrum: spectrum, initialState: state, perturbation: .scaled(1.5), finalTime: 10,
                                               saveTimes: [0, 0.5, 1, 2, 5, 10], methods: [.exact(ExactPropagatorOptions())])
        let swapped = try TrajectoryComparison.compare(runs[0].upper, runs[0].lower)
        #expect(!swapped.orderPreserved)
        let violation = try #require(swapped.firstViolation)
        #expect(violation.time == 0)
        #expect(swapped.minMargin < 0)
        let g = runs[0].upper.states[0].signalGram, gLower = runs[0].lower.states[0].signalGram
        #expect(quadraticForm(gLower - g, violation.witness) < 0)
    }

    @Test func studentGramComparisonWorksInTheSameGauge() throws {
        // At t = 0 the scaled pair has K' = cK exactly, so K ⪯ K'; the swapped pair fails.
        let state = try randomState(r: 3, rs: 2, d: 100, sigma0: 1, seed: 2, smallInit: false)
        let upper = try OrderedPerturbation.scaled(2).apply(to: state)
        let forward = try TrajectoryComparison.compare(times: [0], [state], [upper], observable: .studentGram)
        #expect(forward.relations == [.lessOrEqual])
        #expect(abs(forward.minMargin - (try LoewnerOrder.compare(state.studentGram, upper.studentGram)).smallestEigenvalue) < 1e-15)
        let backward = try TrajectoryComparison.compare(times: [0], [upper], [state], observable: .studentGram)
        #expect(!backward.orderPreserved)
        #expect(forward.comparisons[0].smallestWitness.count == 2)
    }

    @Test func unorderedPerturbationIsIncomparableWithAWitness() throws {
        let spectrum = try TeacherSpectrum.powerLaw(exponent: 1, count: 3)
        let state = try randomState(r: 3, rs: 3, d: 100, sigma0: 1, seed: 4, smallInit: true)
        // Scale column 1 of M up and column 2 down: G0' − G0 has both signs.
        var m = state.overlap
        for i in 0..<3 { m[i, 0] *= 1.5; m[i, 1] *= 0.5 }
        let other = try OverlapState(overlap: m)
        let saves = [0.0, 0.05, 0.1]
        let a = try solve(try OverlapProblem(spectrum: spectrum, initialState: state, finalTime: 0.1, saveTimes: saves), method: .exact(ExactPropagatorOptions()))
        let b = try solve(try OverlapProblem(spectrum: spectrum, initialState: other, finalTime: 0.1, saveTimes: saves), method: .exact(ExactPropagatorOptions()))
        let comparison = try TrajectoryComparison.compare(a, b)
        #expect(comparison.relations[0] == .incomparable)
        let witness = try #require(comparison.firstViolation).witness
        #expect(quadraticForm(b.states[0].signalGram - a.states[0].signalGram, witness) < 0)
        #expect(quadraticForm(b.states[0].signalGram - a.states[0].signalGram, comparison.comparisons[0].largestWitness) > 0)
    }
}
