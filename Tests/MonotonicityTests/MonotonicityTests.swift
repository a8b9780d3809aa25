import Foundation
import LinearAlgebra
import Monotonicity
import Riccati
import Testing
import TestSupport

func quadraticForm(_ a: Matrix, _ v: [Double]) -> Double {
    var sum = 0.0
    for i in 0..<a.rows { for j in 0..<a.columns { sum += v[i] * a[i, j] * v[j] } }
    return sum
}

@Suite struct MatrixOrderTests {
    @Test func knownPairs() throws {
        let le = try LoewnerOrder.compare(.diagonal([1, 2]), .diagonal([2, 3]))
        #expect(le.relation == .lessOrEqual)
        #expect(abs(le.smallestEigenvalue - 1) < 1e-15 && abs(le.largestEigenvalue - 1) < 1e-15)
        #expect(try LoewnerOrder.compare(.diagonal([2, 3]), .diagonal([1, 2])).relation == .greaterOrEqual)
        #expect(try LoewnerOrder.compare(.diagonal([2, 3]), .diagonal([2, 3])).relation == .equal)
        let incomparable = try LoewnerOrder.compare(.diagonal([1, 0]), .diagonal([0, 1]))
        #expect(incomparable.relation == .incomparable)
        #expect(abs(incomparable.smallestEigenvalue + 1) < 1e-15)
        #expect(abs(abs(incomparable.smallestWitness[0]) - 1) < 1e-15)   // witness e₁: e₁ᵀ(Y−X)e₁ = −1
        #expect(abs(abs(incomparable.largestWitness[1]) - 1) < 1e-15)
    }

    @Test func randomOrderedAndUnorderedPairs() throws {
        var random = TestRandom(state: 5)
        for trial in 0..<50 {
            let n = 2 + trial % 6
            let x = random.psd(n, rank: n)
            let increment = random.psd(n, rank: 1 + trial % n)
            let y = x + increment
            #expect(try LoewnerOrder.compare(x, y).relation == .lessOrEqual)
            #expect(try LoewnerOrder.compare(y, x).relation == .greaterOrEqual)
            // Built not to be ordered: add one PSD direction and remove another.
            let u = random.matrix(n, 1), w = random.matrix(n, 1)
            let z = x + BLAS.gram(u) - 0.5 * BLAS.gram(w) - 0.5 * BLAS.gram(w)
            let mixed = try LoewnerOrder.compare(x, z)
            if mixed.relation == .incomparable {
                // The witnesses really certify both failures.
                #expect(quadraticForm(z - x, mixed.smallestWitness) < 0)
                #expect(quadraticForm(z - x, mixed.largestWitness) > 0)
                #expect(abs(quadraticForm(z - x, mixed.smallestWitness) - mixed.smallestEigenvalue) < 1e-12 * max(1, x.frobeniusNorm))
            }
            // With independent rank-one directions (n ≥ 2), z − x = uuᵀ − wwᵀ is indefinite.
            #expect(mixed.relation == .incomparable)
        }
    }

    @Test func toleranceDecidesNearTheBoundary() throws {
        var random = TestRandom(state: 9)
        let x = random.psd(4, rank: 4)
        var v = random.matrix(4, 1)
        let norm = v.frobeniusNorm
        v = (1 / norm) * v
        let y = x - (1e-12 * x.frobeniusNorm) * BLAS.gram(v)    // Y = X minus a hair
        let loose = try LoewnerOrder.compare(y, x, relativeTolerance: 1e-10)
        let strict = try LoewnerOrder.compare(x, y, relativeTolerance: 1e-14)
        let looseReverse = try LoewnerOrder.compare(x, y, relativeTolerance: 1e-10)
        #expect(loose.relation == .equal)
        #expect(looseReverse.relation == .equal)
        #expect(strict.relation == .greaterOrEqual)
        #expect(abs(loose.tolerance - 1e-10 * x.frobeniusNorm) < 1e-24)
        // Scale invariance of the verdict.
        #expect(try LoewnerOrder.compare(1e-9 * x, 1e-9 * y, relativeTolerance: 1e-14).relation == .greaterOrEqual)
    }

    @Test func badInputIsRejected() {
        var asymmetric = Matrix.identity(3)
        asymmetric[0, 1] = 1e-3
        #expect(throws: RiccatiError.self) { try LoewnerOrder.compare(asymmetric, .identity(3)) }
        #expect(throws: RiccatiError.self) { try LoewnerOrder.compare(.identity(2), .identity(3)) }
        var nonFinite = Matrix.identity(2)
        nonFinite[1, 1] = .nan
        #expect(throws: RiccatiError.self) { try LoewnerOrder.compare(nonFinite, .identity(2)) }
        #expect(throws: RiccatiError.self) { try LoewnerOrder.compare(.identity(2), .identity(2), relativeTolerance: -1) }
        #expect(throws: RiccatiError.self) { try LevelSet.ellipse(of: .diagonal([1, 0])) }
    }
}

func randomState(r: Int, rs: Int, d: Double, sigma0: Double, seed: UInt64, smallInit: Bool) throws -> OverlapState {
    try RandomInitialization(studentWidth: rs, teacherWidth: r, dimension: d, sigma0: sigma0, seed: seed,
                             smallInitialization: smallInit).sample()
}

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
