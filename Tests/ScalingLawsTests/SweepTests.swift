import Foundation
import LinearAlgebra
import Riccati
import SGD
import ScalingLaws
import Testing

@Suite struct SweepTests {
    /// Small-init, r = r_s = 64, d = 1e12, window [T_3, T_16]: the ODE slope is within 0.1 of the
    /// additive-model slope (a numpy prototype: α = 1: −1.19 vs −1.14; α = 1.5: −1.41 vs −1.38).
    @Test func odeSlopeFollowsTheAdditiveModel() throws {
        var sweep = ScalingSweep(alphas: [1, 1.5], teacherWidths: [64], studentWidths: [64], dimensions: [1e12], seeds: [0])
        sweep.smallInitialization = true
        sweep.jobs = 2
        let points = try sweep.run()
        #expect(points.count == 2)
        for point in points {
            let fitted = try #require(point.fittedSlope), additive = try #require(point.additiveSlope)
            #expect(abs(fitted - additive) < 0.1, "α = \(point.alpha): ODE \(fitted), additive \(additive)")
            let window = try #require(point.window)
            let prediction = try ScalingPrediction(spectrum: try .powerLaw(exponent: point.alpha, count: 64), studentWidth: 64,
                                                   dimension: 1e12, sigma0: 1)
            #expect(window.lowerBound == prediction.escapeTime(rank: 3) && window.upperBound == prediction.escapeTime(rank: 16))
            // The slope is steeper than the asymptote at this width (finite-r correction), and below −1.
            #expect(fitted < point.asymptoticSlope! && fitted < -1)
        }
        // Negative control: a different window gives a visibly different (wrong) slope.
        var early = sweep
        early.ranks = (1, 3)
        let earlyPoints = try early.run()
        #expect(abs(earlyPoints[0].fittedSlope! - points[0].fittedSlope!) > 0.1)
    }

    /// With OpenBLAS on one thread (the documented setting; the sweep no longer sets it), one
    /// and two jobs give the same bits.
    @Test func sweepIsTheSameWithOneOrTwoJobs() throws {
        BLAS.setThreadCount(1)
        var sweep = ScalingSweep(alphas: [1], teacherWidths: [16], studentWidths: [8, 16], dimensions: [1e6], seeds: [0, 1])
        sweep.saveCount = 50
        sweep.jobs = 1
        let serial = try sweep.run()
        sweep.jobs = 2
        let parallel = try sweep.run()
        #expect(serial.count == 4)
        for (a, b) in zip(serial, parallel) {
            #expect(a.risk == b.risk && a.studentWidth == b.studentWidth && a.seed == b.seed)
        }
    }

    @Test func invalidGridsAreRejected() {
        let bad = ScalingSweep(alphas: [], teacherWidths: [8], studentWidths: [8], dimensions: [100], seeds: [0])
        #expect(throws: RiccatiError.self) { try bad.run() }
        let tooSmall = ScalingSweep(alphas: [1], teacherWidths: [8], studentWidths: [8], dimensions: [5], seeds: [0])
        #expect(throws: RiccatiError.self) { try tooSmall.run() }
        var jobs = ScalingSweep(alphas: [1], teacherWidths: [8], studentWidths: [8], dimensions: [100], seeds: [0])
        jobs.jobs = 0
        #expect(throws: RiccatiError.self) { try jobs.run() }
    }

    /// A ReLU sweep point is the library's general-activation flow (dopri5), with its window between
    /// its own located escape times and no additive model; jobs 1 and 2 give the same bits; without a
    /// final time it is refused.
    @Test func reluPointsAreTheGeneralFlowWithTheirOwnWindow() throws {
        BLAS.setThreadCount(1)
        var sweep = ScalingSweep(alphas: [1, 1.5], teacherWidths: [16], studentWidths: [16], dimensions: [1e6], seeds: [0])
        sweep.activation = .relu
        sweep.sigma0 = 1e-3
        sweep.saveCount = 40
        sweep.ranks = (2, 6)
        #expect(throws: RiccatiError.self) { _ = try sweep.run() }   // no final time
        sweep.finalTime = 800
        sweep.jobs = 2
        let points = try sweep.run()
        sweep.jobs = 1
        #expect(try sweep.run().map(\.risk) == points.map(\.risk))
        for point in points {
            let spectrum = try TeacherSpectrum.powerLaw(exponent: point.alpha, count: 16)
            let initial = try RandomInitialization(studentWidth: 16, teacherWidth: 16, dimension: 1e6, sigma0: 1e-3, seed: 0).sample()
            let solution = try solve(try OverlapProblem(dynamics: try GeneralActivationFlow(spectrum: spectrum, studentWidth: 16, activation: .relu),
                                                        initialState: initial, finalTime: 800, saveTimes: point.times),
                                     method: .dormandPrince(DormandPrinceOptions()))
            #expect(point.risk == solution.risk)
            let window = try #require(point.window)
            #expect(window.lowerBound == solution.escapeTimes[1] && window.upperBound == solution.escapeTimes[5])
            #expect(point.riskAdditive.isEmpty && point.additiveSlope == nil)
            let fitted = try #require(point.fittedSlope)
            #expect(fitted < -0.5 && fitted > -2, "α = \(point.alpha): \(fitted)")
        }
        // Negative control: the He₂ sweep of the same grid is another model.
        sweep.activation = .he2
        #expect(try sweep.run().map(\.risk) != points.map(\.risk))
    }
}
