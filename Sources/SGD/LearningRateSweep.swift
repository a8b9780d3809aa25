import Foundation

/// Deviation from the ODE against the learning rate, averaged over seeds.
public struct LearningRateSweep: Sendable, Equatable, Codable {
    public struct Point: Sendable, Equatable, Codable {
        public var learningRate: Double
        /// Per seed, the maximum relative risk deviation over the recorded times.
        public var maxRelativeDeviations: [Double]
        public var seeds: [UInt64]
        public var meanMaxRelativeDeviation: Double { maxRelativeDeviations.reduce(0, +) / Double(Swift.max(1, maxRelativeDeviations.count)) }
    }
    public var points: [Point]
    /// `false` when `shouldStop` ended the sweep early: ``points`` then hold the learning rates
    /// begun, each with the seeds that finished (a learning rate with none is left out).
    public var completed = true
    /// Least-squares slope of `log(mean max deviation)` against `log η` (1 for an `O(η)` gap);
    /// `nil` with fewer than two learning rates.
    public var slope: Double? {
        let xs = points.map { log($0.learningRate) }, ys = points.map { log($0.meanMaxRelativeDeviation) }
        guard xs.count >= 2, ys.allSatisfy({ $0.isFinite }) else { return nil }
        let mx = xs.reduce(0, +) / Double(xs.count), my = ys.reduce(0, +) / Double(ys.count)
        var sxy = 0.0, sxx = 0.0
        for (x, y) in zip(xs, ys) { sxy += (x - mx) * (y - my); sxx += (x - mx) * (x - mx) }
        return sxx > 0 ? sxy / sxx : nil
    }

    /// For each learning rate, runs `seeds` seeds (`base.seed`, `base.seed + 1`, …) over the same
    /// time horizon `T = η_base·K_base` (so `K = max(1, round(T/η))`) with save times at the same
    /// `t` (each at its nearest step, ``SGDSaveSchedule/step(forTime:learningRate:steps:)``).
    /// Every learning rate and save time is checked before the first run.
    ///
    /// `shouldStop` is passed into every SGD run and ODE integration: when it says yes the
    /// current seed's run ends after its step and is discarded (its deviation would cover only
    /// part of the horizon), no further seed starts, and the result holds the seeds finished so
    /// far with ``completed`` `false`.
    public static func run<Scalar: SGDScalar>(
        base: SGDConfiguration, learningRates: [Double], seeds: Int, saveTimes: [Double], precision: Scalar.Type,
        shouldStop: (() -> Bool)? = nil
    ) throws(SGDError) -> LearningRateSweep {
        guard !learningRates.isEmpty else {
            throw .invalidParameter(name: "learningRates", value: "[]", reason: "must hold at least one learning rate")
        }
        guard seeds >= 1 else { throw .invalidParameter(name: "seeds", value: "\(seeds)", reason: "must be ≥ 1") }
        try base.validate()
        let horizon = base.learningRate * Double(base.steps)
        for t in saveTimes where !(t.isFinite && t >= 0 && t <= horizon * (1 + 1e-12)) {
            throw .invalidParameter(name: "saveTimes", value: "\(t)", reason: "must lie in [0, T = η·steps = \(horizon)]")
        }
        for eta in learningRates {
            guard eta.isFinite, eta > 0 else {
                throw .invalidParameter(name: "learningRates", value: "\(eta)", reason: "must be finite and > 0")
            }
            guard (horizon / eta).rounded() <= Double(SGDConfiguration.maximumSteps) else {
                throw .invalidParameter(name: "learningRates", value: "\(eta)",
                                        reason: "must give at most 1e9 steps over the horizon T = \(horizon)")
            }
        }
        var points: [Point] = []
        var completed = true
        rates: for eta in learningRates {
            var configuration = base
            configuration.learningRate = eta
            configuration.steps = Swift.max(1, Int((horizon / eta).rounded()))
            configuration.saveSteps = saveTimes.map {
                SGDSaveSchedule.step(forTime: $0, learningRate: eta, steps: configuration.steps)
            }
            var deviations: [Double] = [], usedSeeds: [UInt64] = []
            for offset in 0..<seeds {
                if let shouldStop, shouldStop() { completed = false; break }
                configuration.seed = base.seed &+ UInt64(offset)
                let comparison = try ODEComparison.run(configuration, precision: Scalar.self, shouldStop: shouldStop)
                guard comparison.completed else { completed = false; break }
                deviations.append(comparison.maxRelativeDeviation)
                usedSeeds.append(configuration.seed)
            }
            if !deviations.isEmpty { points.append(Point(learningRate: eta, maxRelativeDeviations: deviations, seeds: usedSeeds)) }
            if !completed { break rates }
        }
        var sweep = LearningRateSweep(points: points)
        sweep.completed = completed
        return sweep
    }
}

extension LearningRateSweep {
    enum CodingKeys: String, CodingKey { case points, completed }

    /// Decodes `completed` as `true` when absent (sweeps encoded before it existed).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        points = try container.decode([Point].self, forKey: .points)
        completed = try container.decodeIfPresent(Bool.self, forKey: .completed) ?? true
    }
}
