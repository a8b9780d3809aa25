import Foundation
import LinearAlgebra
import Riccati
@testable import SGD
import Testing
import TestSupport

/// The setup: d = 256, r = 8, r_s = 4, α = 1, σ0 = 0.3, B = 1024, t ∈ [0, 12].
func followsODEConfiguration(learningRate: Double, seed: UInt64) throws -> SGDConfiguration {
    var configuration = SGDConfiguration(spectrum: try TeacherSpectrum.powerLaw(exponent: 1, count: 8), dimension: 256,
                                         studentWidth: 4, batchSize: 1024, learningRate: learningRate,
                                         steps: Int((12 / learningRate).rounded()))
    configuration.sigma0 = 0.3
    configuration.seed = seed
    configuration.saveSteps = (0...24).map { Int((Double($0) * 0.5 / learningRate).rounded()) }
    return configuration
}

@Suite(.serialized) struct SGDFollowsODETests {
    /// Mean over 5 seeds of the maximum relative risk deviation from the ODE: below 0.1 at
    /// η = 0.005 (a numpy prototype measured 0.064), and smaller at η/4.
    @Test func deviationIsSmallAndShrinksWithTheLearningRate() throws {
        var deviations: [Double: [Double]] = [:]
        for eta in [0.005, 0.00125] {
            for seed in 0..<5 {
                let comparison = try ODEComparison.run(try followsODEConfiguration(learningRate: eta, seed: UInt64(seed)), precision: Double.self)
                deviations[eta, default: []].append(comparison.maxRelativeDeviation)
                #expect(comparison.times.count == 25 && comparison.times.last == 12)
            }
        }
        let coarse = deviations[0.005]!.reduce(0, +) / 5, fine = deviations[0.00125]!.reduce(0, +) / 5
        #expect(coarse < 0.1, "mean max relative deviation at η = 0.005: \(coarse) (\(deviations[0.005]!))")
        #expect(fine < coarse, "η/4: \(fine) (\(deviations[0.00125]!)) against η: \(coarse)")
        print("SGD vs ODE: mean max relative deviation \(coarse) at η = 0.005, \(fine) at η = 0.00125")
    }

    /// Negative control: a learning rate far too large for η·d/B (here 0.25·256/1024 = 0.0625, 50× the
    /// default) leaves the flow: its deviation is far above 0.1.
    @Test func aLargeLearningRateLeavesTheFlow() throws {
        let comparison = try ODEComparison.run(try followsODEConfiguration(learningRate: 0.25, seed: 0), precision: Double.self)
        #expect(comparison.maxRelativeDeviation > 0.1, "deviation \(comparison.maxRelativeDeviation)")
    }

    /// Canonical and random orthonormal teachers, with the student rotated along (same (M0, P0)),
    /// give statistically indistinguishable risk curves.
    @Test func canonicalAndRotatedTeachersAgree() throws {
        let d = 64, r = 4, rs = 3, seeds = 6
        var canonicalRisks: [[Double]] = [], rotatedRisks: [[Double]] = []
        for seed in 0..<seeds {
            var configuration = SGDConfiguration(spectrum: try TeacherSpectrum.powerLaw(exponent: 1, count: r), dimension: d,
                                                 studentWidth: rs, batchSize: 256, learningRate: 0.01, steps: 600)
            configuration.sigma0 = 0.5
            configuration.seed = UInt64(seed)
            configuration.saveSteps = [100, 200, 300, 400, 500]
            let canonical = try SGDSimulator<Double>(configuration: configuration)
            let w0 = canonical.currentWeights
            // Θ from a Gaussian QR; R = Qᵀ maps the canonical basis onto (Θ, Θ⊥).
            var random = Matrix(rows: d, columns: d)
            var generator = TestRandom(state: 1000 + UInt64(seed))
            for k in 0..<random.storage.count { random.storage[k] = generator.normal() }
            let theta = try LinearAlgebra.orthonormalBasis(random).transposed          // d×d orthogonal, rows orthonormal
            var thetaRows = Matrix(rows: r, columns: d)
            for j in 0..<r { for c in 0..<d { thetaRows[j, c] = theta[j, c] } }
            var rotated = configuration
            rotated.teacher = .given(thetaRows)
            rotated.initialWeights = try BLAS.product(w0, theta)                        // W0 R with R = theta
            rotated.seed = UInt64(seed) + 100
            let rotatedSimulator = try SGDSimulator<Double>(configuration: rotated)
            let m0 = try canonical.overlapState(), m0Rotated = try rotatedSimulator.overlapState()
            #expect(relativeDifference(m0.signalGram, m0Rotated.signalGram) < 1e-12)
            canonicalRisks.append(try canonical.run().risk)
            rotatedRisks.append(try rotatedSimulator.run().risk)
        }
        for index in 1..<canonicalRisks[0].count {
            let a = canonicalRisks.map { $0[index] }, b = rotatedRisks.map { $0[index] }
            let meanA = a.reduce(0, +) / Double(seeds), meanB = b.reduce(0, +) / Double(seeds)
            let varA = a.map { ($0 - meanA) * ($0 - meanA) }.reduce(0, +) / Double(seeds - 1)
            let varB = b.map { ($0 - meanB) * ($0 - meanB) }.reduce(0, +) / Double(seeds - 1)
            let standardError = ((varA + varB) / Double(seeds)).squareRoot()
            #expect(abs(meanA - meanB) < 4 * standardError + 1e-12, "save \(index): \(meanA) vs \(meanB) ± \(standardError)")
        }
    }
}

