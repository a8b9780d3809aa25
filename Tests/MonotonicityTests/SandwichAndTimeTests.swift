import Foundation
import LinearAlgebra
import Monotonicity
import Riccati
import Testing
import TestSupport

@Suite struct SandwichAndTimeTests {
    @Test func sandwichHoldsFromBelowLambda() throws {
        let spectrum = try TeacherSpectrum.powerLaw(exponent: 1, count: 4)
        for seed in 0..<10 {
            let state = try randomState(r: 4, rs: 4, d: 200, sigma0: 1, seed: UInt64(seed), smallInit: true)
            let solution = try solve(try OverlapProblem(spectrum: spectrum, initialState: state, finalTime: 50,
                                                        saveTimes: try SaveTimes.logSpaced(count: 30, finalTime: 50)),
                                     method: .exact(ExactPropagatorOptions()))
            let check = try SandwichCheck.check(solution)
            #expect(check.holds, "seed \(seed): \(String(describing: check.firstViolation))")
            #expect(check.upperMargins.last! > -check.tolerance && check.upperMargins.last! < 1e-6)   // G → Λ
        }
        // Negative control: G0 far above Λ breaks the upper side at t = 0.
        let big = try OverlapState(overlap: 3 * Matrix.identity(4))
        let solution = try solve(try OverlapProblem(spectrum: spectrum, initialState: big, finalTime: 1, saveTimes: [0.5, 1]),
                                 method: .exact(ExactPropagatorOptions()))
        let check = try SandwichCheck.check(solution)
        #expect(!check.holds)
        #expect(check.firstViolation?.time == 0)
    }

    /// λ = (2, 1), r_s = 2, P0 = 0 and a nearly rank-one G0 along (1, 1): dG/dt(0) = 4(ΛG0 + G0Λ)
    /// is indefinite, so the order in time fails from the first step.
    @Test func correlatedSmallInitialisationFailsFromTheFirstStep() throws {
        let spectrum = try TeacherSpectrum([2, 1])
        let a = 0.01
        let m = try Matrix([[a, a], [a * 1.001, a * 0.999]])
        let state = try OverlapState(overlap: m)
        let times = (0...40).map { 0.0125 * Double($0) }
        let solution = try solve(try OverlapProblem(spectrum: spectrum, initialState: state, finalTime: 0.5, saveTimes: times),
                                 method: .exact(ExactPropagatorOptions()))
        let analysis = try TimeMonotonicity.analyze(solution)
        #expect(analysis.verdict == .neither)
        let first = try #require(analysis.firstViolation)
        #expect(first.start == 0 && first.end == 0.0125)
        #expect(quadraticForm(solution.states[1].signalGram - solution.states[0].signalGram, first.witness) < 0)
        // Negative control: a diagonal small initialisation grows monotonically.
        let diagonal = try OverlapState(overlap: .diagonal([0.01, 0.01]))
        let monotone = try solve(try OverlapProblem(spectrum: spectrum, initialState: diagonal, finalTime: 0.5, saveTimes: times),
                                 method: .exact(ExactPropagatorOptions()))
        let monotoneAnalysis = try TimeMonotonicity.analyze(monotone)
        #expect(monotoneAnalysis.verdict == .increasing)
        #expect(monotoneAnalysis.firstViolation == nil)
    }

    /// σ0 = 2 with d = 1024: P0 ≈ 4I ≫ λ, so every overlap first shrinks, then grows:
    /// G falls, then rises, and G_22 has an interior minimum.
    @Test func largeOrthogonalInitialisationMakesEntriesFallThenRise() throws {
        let spectrum = try TeacherSpectrum([2, 1])
        let state = try randomState(r: 2, rs: 2, d: 1024, sigma0: 2, seed: 0, smallInit: false)
        let times = (0...200).map { 0.025 * Double($0) }
        let solution = try solve(try OverlapProblem(spectrum: spectrum, initialState: state, finalTime: 5, saveTimes: times),
                                 method: .exact(ExactPropagatorOptions()))
        let analysis = try TimeMonotonicity.analyze(solution)
        #expect(analysis.verdict == .neither)
        let g22 = try #require(analysis.entries.first { $0.row == 1 && $0.column == 1 })
        #expect(g22.trend == .nonMonotone)
        let minimum = try #require(g22.turningPoints.first)
        #expect(minimum.isMinimum)
        // The minimum found on the grid is the true one within the grid spacing.
        let series = solution.states.map { $0.signalGram[1, 1] }
        let trueIndex = series.indices.min { series[$0] < series[$1] }!
        #expect(abs(minimum.time - times[trueIndex]) <= 0.025 + 1e-12)
        // Measured: G_22 falls from 1.45e-2 to 7.3e-3 at t = 0.1 (when K ≈ P0/(1 + 8 P0 t) drops
        // below λ_2 = 1), then rises to λ_2.
        #expect(minimum.value < 0.75 * series[0] && minimum.value < series.last! / 100)
        #expect(minimum.time > 0.05 && minimum.time < 0.2)
        #expect(g22.summary().contains("falls to"))
        // The Loewner order (started decreasing) breaks no later than G_22 turns.
        let first = try #require(analysis.firstViolation)
        #expect(first.end <= minimum.time + 0.025 + 1e-12)
        #expect(first.end > 0.025)
    }

    @Test func levelSetEllipseSolvesTheQuadraticForm() throws {
        let g = try Matrix([[2, 0.5], [0.5, 1]])
        let points = try LevelSet.ellipse(of: g, count: 64)
        #expect(points.count == 65)
        for p in points { #expect(abs(quadraticForm(g, [p.x, p.y]) - 1) < 1e-12) }
        // Nesting: the ellipse of 1.25 G lies inside that of G.
        for p in try LevelSet.ellipse(of: 1.25 * g, count: 64) { #expect(quadraticForm(g, [p.x, p.y]) < 1) }
    }
}
