import Foundation
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

    @Test func sweepIsTheSameWithOneOrTwoJobs() throws {
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
}

@Suite struct FrontierTests {
    /// On a tiny configuration, the envelope is the pointwise minimum of the per-width curves'
    /// log-log interpolations at every grid point, and never above any curve where it is defined.
    @Test func envelopeIsTheTrueLowerEnvelope() throws {
        var base = SGDConfiguration(spectrum: try .powerLaw(exponent: 1, count: 12), dimension: 32, studentWidth: 1,
                                    batchSize: 32, learningRate: 0.02, steps: 400)
        base.sigma0 = 0.5
        base.saveSteps = [1, 2, 5, 10, 20, 50, 100, 200, 300]
        let frontier = try ComputeFrontier.run(base: base, widths: [1, 2, 4, 8], gridCount: 60, precision: Double.self)
        #expect(frontier.curves.count == 4)
        #expect(frontier.envelopeCompute.count == 60)
        for (index, c) in frontier.envelopeCompute.enumerated() {
            var minimum = Double.infinity, argmin = 0
            for curve in frontier.curves {
                let points = zip(curve.compute, curve.risk).filter { $0.0 > 0 && $0.1 > 0 }
                guard let value = ComputeFrontierReference.interpolate(points, at: c) else { continue }
                #expect(frontier.envelopeRisk[index] <= value * (1 + 1e-12))
                if value < minimum { minimum = value; argmin = curve.studentWidth }
            }
            #expect(abs(frontier.envelopeRisk[index] - minimum) <= 1e-12 * minimum)
            #expect(frontier.envelopeWidth[index] == argmin)
        }
        // Compute is counted as steps·B·d·r_s.
        let widest = frontier.curves[3]
        #expect(widest.compute[1] == 1 * 32 * 32 * 8)
    }

    @Test func envelopeOfSyntheticPowerLaws() throws {
        let c = (0..<41).map { pow(10, 2 + Double($0) / 10) }      // 1e2 … 1e6
        // One width on a pure power law: the fitted exponent is exact.
        let single = try ComputeFrontier.envelope(of: [ComputeFrontier.Curve(studentWidth: 1, compute: c, risk: c.map { 10 * pow($0, -0.5) })],
                                                  gridCount: 100)
        #expect(abs(single.fittedExponent! + 0.5) < 1e-12)
        // Two crossing power laws, 10 c^-0.3 and 1000 c^-0.8, cross at c = 1e4: the envelope follows
        // the first below and the second above.
        let crossing = try ComputeFrontier.envelope(of: [
            ComputeFrontier.Curve(studentWidth: 1, compute: c, risk: c.map { 10 * pow($0, -0.3) }),
            ComputeFrontier.Curve(studentWidth: 2, compute: c, risk: c.map { 1000 * pow($0, -0.8) }),
        ], gridCount: 101)
        for (value, width) in zip(crossing.envelopeCompute, crossing.envelopeWidth) {
            if value < 1e4 * 0.99 { #expect(width == 1) }
            if value > 1e4 * 1.01 { #expect(width == 2) }
        }
        #expect(abs(crossing.envelopeRisk.last! - 1000 * pow(1e6, -0.8)) < 1e-12)
    }
}

/// An independent copy of the interpolation rule, to check the envelope against.
enum ComputeFrontierReference {
    static func interpolate(_ points: [(Double, Double)], at c: Double) -> Double? {
        guard let first = points.first, let last = points.last, c >= first.0 * (1 - 1e-12), c <= last.0 * (1 + 1e-12) else { return nil }
        for k in 1..<max(points.count, 2) where k < points.count {
            let (c0, r0) = points[k - 1], (c1, r1) = points[k]
            if c <= c1 * (1 + 1e-15) {
                let f = min(max((log(c) - log(c0)) / (log(c1) - log(c0)), 0), 1)
                return exp(log(r0) + f * (log(r1) - log(r0)))
            }
        }
        return last.1
    }
}
