import Foundation
import Riccati
import SGD

/// Population risk against compute for several student widths, and its lower envelope.
///
/// **Compute** counts the multiply-adds of the forward pass, as MODEL.md does:
/// `compute(k) = k · B · d · r_s` after `k` steps (a full step, forward and backward GEMM,
/// costs twice this; the factor is the same for every width, so the frontier's exponent does
/// not depend on it).
///
/// **Envelope.** On a common grid of `gridCount` compute values, log-spaced over the union of
/// the curves' ranges (`k ≥ 1`), the envelope is the minimum over widths of each curve's
/// log-log linear interpolation, where that curve is defined. Its **exponent** is the
/// least-squares log-log slope over the grid points after the envelope has first fallen below
/// half its starting value (the plateau before any learning is excluded).
public struct ComputeFrontier: Sendable, Equatable, Codable {
    public struct Curve: Sendable, Equatable, Codable {
        public var studentWidth: Int
        public var compute: [Double]
        public var risk: [Double]
        public var statistics: SGDStatistics

        public init(studentWidth: Int, compute: [Double], risk: [Double], statistics: SGDStatistics = SGDStatistics()) {
            self.studentWidth = studentWidth
            self.compute = compute
            self.risk = risk
            self.statistics = statistics
        }
    }
    public var curves: [Curve]
    public var envelopeCompute: [Double]
    public var envelopeRisk: [Double]
    /// The width attaining the envelope at each grid point.
    public var envelopeWidth: [Int]
    public var fittedExponent: Double?
    public var fitStart: Double?
    /// `false` when the run was stopped early (the frontier then covers the curves recorded so far).
    public var completed = true

    /// Runs `base` once per width (each with the same seed and teacher) in `Scalar` precision.
    /// Every width's configuration is validated before the first run.
    /// When `shouldStop` says yes, the current run ends after its step, no further width starts,
    /// and the frontier is built from the curves recorded so far (``completed`` is `false`).
    public static func run<Scalar: SGDScalar>(
        base: SGDConfiguration, widths: [Int], gridCount: Int = 200, precision: Scalar.Type,
        shouldStop: (() -> Bool)? = nil
    ) throws(SGDError) -> ComputeFrontier {
        guard !widths.isEmpty else { throw .invalidParameter(name: "widths", value: "[]", reason: "must hold at least one width") }
        guard gridCount >= 2 else { throw .invalidParameter(name: "gridCount", value: "\(gridCount)", reason: "must be ≥ 2") }
        // Every width's configuration is checked before the first run; an error names `widths`
        // where the configuration's `studentWidth` is at fault.
        for width in widths {
            var configuration = base
            configuration.studentWidth = width
            do {
                try configuration.validate()
            } catch {
                throw error.renamingParameters { $0 == "studentWidth" ? "widths" : $0 }
            }
        }
        var curves: [Curve] = []
        var completed = true
        for width in widths {
            if let shouldStop, shouldStop() { completed = false; break }
            let (curve, finished) = try runCurve(base: base, width: width, precision: Scalar.self, shouldStop: shouldStop)
            curves.append(curve)
            if !finished { completed = false; break }
        }
        var frontier = try envelope(of: curves, gridCount: gridCount)
        frontier.completed = completed
        return frontier
    }

    /// One width's curve: `base` with `studentWidth` set to `width`, run in `Scalar`
    /// precision, its records as compute `k·B·d·r_s` and risk. This is the unit ``run(base:widths:gridCount:precision:shouldStop:)``
    /// repeats per width; a curve depends only on its configuration (for any
    /// `threads`, with one OpenBLAS thread), so curves computed apart, on other
    /// machines, give the same frontier through ``envelope(of:gridCount:)``. `completed` is
    /// `false` when `shouldStop` ended the run early (the curve then holds the records so far).
    public static func runCurve<Scalar: SGDScalar>(
        base: SGDConfiguration, width: Int, precision: Scalar.Type, shouldStop: (() -> Bool)? = nil
    ) throws(SGDError) -> (curve: Curve, completed: Bool) {
        var configuration = base
        configuration.studentWidth = width
        let result = try SGDSimulator<Scalar>(configuration: configuration).run(shouldStop: shouldStop)
        let perStep = Double(configuration.batchSize) * Double(configuration.dimension) * Double(width)
        return (Curve(studentWidth: width, compute: result.steps.map { Double($0) * perStep }, risk: result.risk,
                      statistics: result.statistics), result.completed)
    }

    /// The lower envelope of given curves (each with increasing compute).
    public static func envelope(of curves: [Curve], gridCount: Int) throws(SGDError) -> ComputeFrontier {
        let positive = curves.map { curve in zip(curve.compute, curve.risk).filter { $0.0 > 0 && $0.1 > 0 } }
        guard let low = positive.compactMap({ $0.first?.0 }).min(), let high = positive.compactMap({ $0.last?.0 }).max(), high > low else {
            throw .invalidParameter(name: "curves", value: "",
                                    reason: "must hold at least two recorded points with positive compute and risk, at different compute")
        }
        var grid: [Double] = [], risk: [Double] = [], width: [Int] = []
        for k in 0..<gridCount {
            let c = exp(log(low) + (log(high) - log(low)) * Double(k) / Double(gridCount - 1))
            var best = Double.infinity, bestWidth = 0
            for (index, points) in positive.enumerated() {
                guard let value = interpolate(points, at: c), value < best else { continue }
                best = value
                bestWidth = curves[index].studentWidth
            }
            guard best.isFinite else { continue }
            grid.append(c); risk.append(best); width.append(bestWidth)
        }
        var exponent: Double?, start: Double?
        if let firstIndex = risk.firstIndex(where: { $0 < 0.5 * risk[0] }) {
            start = grid[firstIndex]
            exponent = try? PowerLawFit.slope(x: Array(grid[firstIndex...]), y: Array(risk[firstIndex...]))
        }
        return ComputeFrontier(curves: curves, envelopeCompute: grid, envelopeRisk: risk, envelopeWidth: width,
                               fittedExponent: exponent, fitStart: start)
    }

    /// Log-log linear interpolation inside the curve's range, `nil` outside.
    static func interpolate(_ points: [(Double, Double)], at c: Double) -> Double? {
        guard let first = points.first, let last = points.last, c >= first.0 * (1 - 1e-12), c <= last.0 * (1 + 1e-12) else { return nil }
        if points.count == 1 { return first.1 }
        var upper = points.firstIndex { $0.0 >= c } ?? points.count - 1
        upper = Swift.max(upper, 1)
        let (c0, r0) = points[upper - 1], (c1, r1) = points[upper]
        if c1 == c0 { return Swift.min(r0, r1) }
        let fraction = Swift.min(Swift.max((log(c) - log(c0)) / (log(c1) - log(c0)), 0), 1)
        return exp(log(r0) + fraction * (log(r1) - log(r0)))
    }
}
