import Foundation
import Riccati
import SGD
import ScalingLaws
import Testing

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
