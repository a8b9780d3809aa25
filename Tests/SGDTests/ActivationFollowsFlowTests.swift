import Foundation
import Riccati
@testable import SGD
import Testing

/// ReLU SGD against the ReLU population gradient flow (issue 17: "SGD with ReLU tracks the
/// population flow as η → 0").
@Suite(.serialized) struct ActivationFollowsFlowTests {
    static let horizon = 6.0

    /// d = 128, r = r_s = 4, α = 1, σ0 = 0.5, B = 128, t ∈ [0, 6], 12 records.
    static func configuration(learningRate: Double, seed: UInt64) throws -> SGDConfiguration {
        var configuration = SGDConfiguration(spectrum: try TeacherSpectrum.powerLaw(exponent: 1, count: 4), dimension: 128,
                                             studentWidth: 4, batchSize: 128, learningRate: learningRate,
                                             steps: Int((horizon / learningRate).rounded()))
        configuration.activation = .relu
        configuration.sigma0 = 0.5
        configuration.seed = seed
        configuration.saveSteps = (1...12).map { Int((Double($0) * 0.5 / learningRate).rounded()) }
        return configuration
    }

    /// Per seed, the mean over the records `t > 0` of `|R_SGD − R_ODE|/R_ODE`.
    static func meanDeviation(_ comparison: ODEComparison) -> Double {
        let values = comparison.relativeDeviation.dropFirst()
        return values.reduce(0, +) / Double(values.count)
    }

    /// Mean and standard error over the seeds.
    static func summary(_ values: [Double]) -> (mean: Double, standardError: Double) {
        let n = Double(values.count), mean = values.reduce(0, +) / n
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)
        return (mean, (variance / n).squareRoot())
    }

    /// η = 0.04 and η/4 = 0.01 (η·d/B = 0.04 and 0.01), 24 seeds each: the mean deviation from the
    /// ReLU flow at η/4 is below that at η by more than 3 combined standard errors, and small.
    /// Negative control: the same runs against the flow of another teacher (α = 2 instead of 1,
    /// from the same (M0, P0)) deviate by far more than SGD's own gap.
    @Test func reluSGDTracksTheReLUFlowAsTheLearningRateShrinks() throws {
        let seeds = 24
        var coarse: [Double] = [], fine: [Double] = [], control: [Double] = []
        let wrongSpectrum = try TeacherSpectrum.powerLaw(exponent: 2, count: 4)
        let started = ContinuousClock.now
        for seed in 0..<seeds {
            let a = try ODEComparison.run(try Self.configuration(learningRate: 0.04, seed: UInt64(seed)), precision: Double.self)
            let b = try ODEComparison.run(try Self.configuration(learningRate: 0.01, seed: UInt64(seed)), precision: Double.self)
            #expect(a.ode.methodName == "dopri5" && a.times.count == 13 && abs((a.times.last ?? 0) - Self.horizon) < 1e-12)
            coarse.append(Self.meanDeviation(a))
            fine.append(Self.meanDeviation(b))
            control.append(Self.meanDeviation(try ODEComparison.compare(b.sgd, spectrum: wrongSpectrum)))
        }
        let (coarseMean, coarseError) = Self.summary(coarse), (fineMean, fineError) = Self.summary(fine)
        let (controlMean, _) = Self.summary(control)
        let margin = 3 * (coarseError * coarseError + fineError * fineError).squareRoot()
        print(String(format: "ReLU SGD vs ReLU flow (%d seeds, %.1f s): mean deviation %.4f ± %.4f at η = 0.04, %.4f ± %.4f at η = 0.01 "
                     + "(margin %.4f); control (α = 2 flow) %.3f", seeds, (ContinuousClock.now - started).seconds,
                     coarseMean, coarseError, fineMean, fineError, margin, controlMean))
        #expect(coarseMean - fineMean > margin, "η = 0.04: \(coarse); η = 0.01: \(fine)")
        #expect(fineMean < 0.05)
        #expect(controlMean > 10 * fineMean && controlMean > 0.1, "control \(control)")
    }
}
