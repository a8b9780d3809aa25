import Foundation
import LinearAlgebra
import Testing
@testable import Riccati

@Suite struct ValidationTests {
    @Test func spectrumRejectsBadValues() {
        #expect(throws: RiccatiError.self) { try TeacherSpectrum([]) }
        #expect(throws: RiccatiError.self) { try TeacherSpectrum([1, -0.1]) }
        #expect(throws: RiccatiError.self) { try TeacherSpectrum([1, .nan]) }
        #expect(throws: RiccatiError.self) { try TeacherSpectrum([.infinity]) }
        #expect(throws: RiccatiError.self) { try TeacherSpectrum.powerLaw(exponent: -1, count: 3) }
        #expect(throws: RiccatiError.self) { try TeacherSpectrum.powerLaw(exponent: .nan, count: 3) }
        #expect(throws: RiccatiError.self) { try TeacherSpectrum.powerLaw(exponent: 1, count: 0) }
        // Negative control: valid input passes and is normalised.
        let valid = try? TeacherSpectrum.powerLaw(exponent: 1, count: 10)
        #expect(abs((valid?.squaredNorm ?? 0) - 1) < 1e-15)
        let raw = try? TeacherSpectrum.powerLaw(exponent: 2, count: 3, normalized: false)
        #expect(raw?.values == [1, 0.25, 1.0 / 9])
    }

    @Test func randomInitializationRejectsBadParameters() {
        func rejects(_ rs: Int, _ r: Int, _ d: Double, _ sigma0: Double) -> Bool {
            (try? RandomInitialization(studentWidth: rs, teacherWidth: r, dimension: d, sigma0: sigma0).sample()) == nil
        }
        #expect(rejects(0, 5, 100, 1))            // r_s ≥ 1
        #expect(rejects(3, 0, 100, 1))            // r ≥ 1
        #expect(rejects(3, 5, 5, 1))              // d > r
        #expect(rejects(3, 5, 4, 1))
        #expect(rejects(30, 5, 20, 1))            // r_s ≤ d
        #expect(rejects(3, 5, 100.5, 1))          // whole d
        #expect(rejects(3, 5, .infinity, 1))
        #expect(rejects(3, 5, .nan, 1))
        #expect(rejects(3, 5, 1e17, 1))           // beyond 2^53
        #expect(rejects(3, 5, 100, 0))            // σ0 > 0
        #expect(rejects(3, 5, 100, -1))
        #expect(rejects(3, 5, 100, .nan))
        #expect(rejects(3, 5, 100, .infinity))
        #expect(!rejects(3, 5, 100, 1))           // negative control
        #expect(!rejects(3, 5, 1e15, 1))
    }

    @Test func statesAndProblemsRejectInconsistentInput() throws {
        let m = Matrix(rows: 3, columns: 4)
        #expect(throws: RiccatiError.self) { try OverlapState(overlap: m, orthogonalGram: Matrix(rows: 4, columns: 4)) }
        var asymmetric = Matrix.identity(3)
        asymmetric[0, 1] = 0.5
        #expect(throws: RiccatiError.self) { try OverlapState(overlap: m, orthogonalGram: asymmetric) }
        var nonFinite = m
        nonFinite[0, 0] = .nan
        #expect(throws: RiccatiError.self) { try OverlapState(overlap: nonFinite) }
        var indefinite = Matrix.identity(3)
        indefinite[2, 2] = -1
        let indefiniteState = try OverlapState(overlap: m, orthogonalGram: indefinite)
        let spectrum = try TeacherSpectrum([1, 0.5, 0.2, 0.1])
        #expect(throws: RiccatiError.self) { try OverlapProblem(spectrum: spectrum, initialState: indefiniteState, finalTime: 1, saveTimes: [1]) }
        let state = try OverlapState(overlap: m)
        #expect(throws: RiccatiError.self) { try OverlapProblem(spectrum: try TeacherSpectrum([1, 0.5]), initialState: state, finalTime: 1, saveTimes: [1]) }
        #expect(throws: RiccatiError.self) { try OverlapProblem(spectrum: spectrum, initialState: state, finalTime: 0, saveTimes: []) }
        #expect(throws: RiccatiError.self) { try OverlapProblem(spectrum: spectrum, initialState: state, finalTime: .infinity, saveTimes: []) }
        #expect(throws: RiccatiError.self) { try OverlapProblem(spectrum: spectrum, initialState: state, finalTime: 1, saveTimes: [0.5, 0.2]) }
        #expect(throws: RiccatiError.self) { try OverlapProblem(spectrum: spectrum, initialState: state, finalTime: 1, saveTimes: [2]) }
        let problem = try OverlapProblem(spectrum: spectrum, initialState: state, finalTime: 1, saveTimes: [1])
        #expect(throws: RiccatiError.self) { try solve(problem, method: .rungeKutta4(step: 0)) }
        #expect(throws: RiccatiError.self) { try solve(problem, method: .rungeKutta4(step: .nan)) }
        #expect(throws: RiccatiError.self) { try solve(problem, method: .dormandPrince(DormandPrinceOptions(relativeTolerance: -1))) }
        #expect(throws: RiccatiError.self) { try solve(problem, method: .exact(ExactPropagatorOptions(stepExponentCap: 0))) }
        #expect(throws: RiccatiError.self) { try SaveTimes.logSpaced(count: 0, finalTime: 1) }
    }

    @Test func logSpacedSaveTimesCoverFourDecades() throws {
        let times = try SaveTimes.logSpaced(count: 5, finalTime: 2000)
        #expect(times.count == 5 && times.last == 2000)
        #expect(abs(times[0] - 0.2) < 1e-12)
        for k in 1..<5 { #expect(abs(times[k] / times[k - 1] - 10) < 1e-9) }
    }

    @Test func signalGramInitialStateFactorsG0() throws {
        var random = TestRandom(state: 31)
        let factor = random.matrix(2, 4)
        let g0 = BLAS.gram(factor, transpose: true)
        let state = try OverlapState(signalGram: g0, studentWidth: 3)
        #expect(relativeDifference(state.signalGram, g0) < 1e-12)
        #expect(state.orthogonalGram.maxAbs == 0)
        // Rank 4 does not fit into r_s = 2.
        #expect(throws: RiccatiError.self) { try OverlapState(signalGram: BLAS.gram(random.matrix(5, 4), transpose: true), studentWidth: 2) }
    }
}

@Suite struct RandomInitializationTests {
    /// Moments of `M0` and the Bartlett-sampled `P0` against the Wishart law
    /// `E P0 = σ0²(d−r)/d · I`, `Var P_ii = 2(d−r)σ0⁴/d²`, `Var P_ij = (d−r)σ0⁴/d²`.
    @Test func bartlettSampleHasWishartMoments() throws {
        let rs = 4, r = 5, d = 50.0, sigma0 = 1.5, draws = 2000
        var diagonalSums = [Double](repeating: 0, count: rs)
        var offDiagonalSum = 0.0, offDiagonalSquares = 0.0
        var overlapSquares = 0.0
        for seed in 0..<draws {
            let state = try RandomInitialization(studentWidth: rs, teacherWidth: r, dimension: d, sigma0: sigma0,
                                                 seed: UInt64(seed)).sample()
            for i in 0..<rs { diagonalSums[i] += state.orthogonalGram[i, i] }
            offDiagonalSum += state.orthogonalGram[0, 3]
            offDiagonalSquares += state.orthogonalGram[0, 3] * state.orthogonalGram[0, 3]
            overlapSquares += state.overlap.storage.reduce(0) { $0 + $1 * $1 }
        }
        let n = Double(draws)
        let scale = sigma0 * sigma0 / d
        let diagonalMean = scale * (d - Double(r))
        let diagonalError = scale * (2 * (d - Double(r))).squareRoot() / n.squareRoot()
        for i in 0..<rs {
            #expect(abs(diagonalSums[i] / n - diagonalMean) < 4 * diagonalError, "P_\(i)\(i) mean \(diagonalSums[i] / n) vs \(diagonalMean)")
        }
        let offDiagonalVariance = scale * scale * (d - Double(r))
        #expect(abs(offDiagonalSum / n) < 4 * (offDiagonalVariance / n).squareRoot())
        #expect(abs(offDiagonalSquares / n / offDiagonalVariance - 1) < 4 * (2.0 / n).squareRoot() * 1.5)
        // E‖M0‖_F² = r_s r σ0²/d.
        let overlapMean = Double(rs * r) * scale
        #expect(abs(overlapSquares / n / overlapMean - 1) < 4 * (2.0 / (n * Double(rs * r))).squareRoot())
        // Negative control: the wrong degrees of freedom (d instead of d − r) is outside the band.
        #expect(abs(diagonalSums[0] / n - scale * d) > 4 * diagonalError)
    }

    @Test func hugeDimensionCostsNothingAndConcentrates() throws {
        let clock = ContinuousClock()
        let start = clock.now
        let state = try RandomInitialization(studentWidth: 8, teacherWidth: 16, dimension: 1e12, sigma0: 1, seed: 3).sample()
        #expect((clock.now - start) < .seconds(1))
        // P0 = σ0² I up to O(d^{-1/2}) = 1e-6 fluctuations; M0 entries are O(1e-6).
        #expect((state.orthogonalGram - Matrix.identity(8)).maxAbs < 1e-5)
        #expect(state.overlap.maxAbs < 1e-5 && state.overlap.maxAbs > 1e-8)
    }

    @Test func tinyDimensionGivesASingularWishart() throws {
        // d − r = 2 < r_s = 4: P0 has rank 2.
        let state = try RandomInitialization(studentWidth: 4, teacherWidth: 3, dimension: 5, seed: 1).sample()
        let values = try LinearAlgebra.symmetricEigenvalues(state.orthogonalGram)
        #expect(abs(values[0]) < 1e-12 && abs(values[1]) < 1e-12 && values[2] > 1e-3)
    }

    @Test func sameSeedSameStateDifferentSeedDifferentState() throws {
        let a = try RandomInitialization(studentWidth: 3, teacherWidth: 4, dimension: 100, seed: 9).sample()
        let b = try RandomInitialization(studentWidth: 3, teacherWidth: 4, dimension: 100, seed: 9).sample()
        let c = try RandomInitialization(studentWidth: 3, teacherWidth: 4, dimension: 100, seed: 10).sample()
        #expect(a == b)
        #expect(a != c)
    }
}
