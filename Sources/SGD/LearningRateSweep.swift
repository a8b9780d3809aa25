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

    /// A sweep of `points`, `completed` unless stopped early (see ``completed``).
    public init(points: [Point], completed: Bool = true) {
        self.points = points
        self.completed = completed
    }

    /// One run of a sweep: learning rate ``learningRate`` with seed ``seed`` over the base horizon,
    /// and its maximum relative risk deviation from the ODE (``run(base:learningRate:seedOffset:saveTimes:precision:shouldStop:)``).
    /// The unit a distributed sweep runs as one task.
    public struct Run: Sendable, Equatable, Codable {
        public var learningRate: Double
        public var seed: UInt64
        public var maxRelativeDeviation: Double

        public init(learningRate: Double, seed: UInt64, maxRelativeDeviation: Double) {
            self.learningRate = learningRate
            self.seed = seed
            self.maxRelativeDeviation = maxRelativeDeviation
        }
    }

    /// The times every learning rate records: those a run of `base` records, `t = η_base·k` for
    /// its save steps, `0` and its last step (``SGDSimulator/run(progress:checkpointEvery:checkpoint:shouldStop:)``),
    /// increasing. They are the recorded times of a completed ``ODEComparison`` of `base`.
    public static func saveTimes(of base: SGDConfiguration) -> [Double] {
        Array(Set(base.saveSteps + [0, base.steps])).sorted().map { Double($0) * base.learningRate }
    }

    /// Checks what ``run(base:learningRates:seeds:saveTimes:precision:shouldStop:)`` needs before
    /// its first run: at least one learning rate and one seed, `base` itself, every save time in
    /// `[0, T]` with `T = η_base·K_base`, and every learning rate finite, positive and giving at
    /// most 1e9 steps over `T`.
    public static func validate(base: SGDConfiguration, learningRates: [Double], seeds: Int, saveTimes: [Double]) throws(SGDError) {
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
    }

    /// The configuration of learning rate `eta` with seed `base.seed + seedOffset`: `base` over
    /// the same horizon `T = η_base·K_base` (`K = max(1, round(T/η))` steps), recording
    /// `saveTimes` at their nearest steps (``SGDSaveSchedule/step(forTime:learningRate:steps:)``).
    public static func configuration(base: SGDConfiguration, learningRate eta: Double, seedOffset: Int,
                                     saveTimes: [Double]) -> SGDConfiguration {
        let horizon = base.learningRate * Double(base.steps)
        var configuration = base
        configuration.learningRate = eta
        configuration.steps = Swift.max(1, Int((horizon / eta).rounded()))
        configuration.saveSteps = saveTimes.map {
            SGDSaveSchedule.step(forTime: $0, learningRate: eta, steps: configuration.steps)
        }
        configuration.seed = base.seed &+ UInt64(seedOffset)
        return configuration
    }

    /// One run of the sweep in `Scalar` precision: SGD with ``configuration(base:learningRate:seedOffset:saveTimes:)``
    /// against the ODE, reduced to its maximum relative risk deviation. `nil` when `shouldStop`
    /// ended it early (its deviation would cover only part of the horizon).
    public static func run<Scalar: SGDScalar>(
        base: SGDConfiguration, learningRate eta: Double, seedOffset: Int, saveTimes: [Double], precision: Scalar.Type,
        shouldStop: (() -> Bool)? = nil
    ) throws(SGDError) -> Run? {
        let configuration = Self.configuration(base: base, learningRate: eta, seedOffset: seedOffset, saveTimes: saveTimes)
        let comparison = try ODEComparison.run(configuration, precision: Scalar.self, shouldStop: shouldStop)
        guard comparison.completed else { return nil }
        return Run(learningRate: eta, seed: configuration.seed, maxRelativeDeviation: comparison.maxRelativeDeviation)
    }

    /// For each learning rate, runs `seeds` seeds (`base.seed`, `base.seed + 1`, …) over the same
    /// time horizon `T = η_base·K_base` (so `K = max(1, round(T/η))`) with save times at the same
    /// `t` (each at its nearest step, ``SGDSaveSchedule/step(forTime:learningRate:steps:)``):
    /// ``run(base:learningRate:seedOffset:saveTimes:precision:shouldStop:)`` for each pair, in
    /// that order. Every learning rate and save time is checked before the first run
    /// (``validate(base:learningRates:seeds:saveTimes:)``).
    ///
    /// `shouldStop` is passed into every SGD run and ODE integration: when it says yes the
    /// current seed's run ends after its step and is discarded (its deviation would cover only
    /// part of the horizon), no further seed starts, and the result holds the seeds finished so
    /// far with ``completed`` `false`.
    public static func run<Scalar: SGDScalar>(
        base: SGDConfiguration, learningRates: [Double], seeds: Int, saveTimes: [Double], precision: Scalar.Type,
        shouldStop: (() -> Bool)? = nil
    ) throws(SGDError) -> LearningRateSweep {
        try validate(base: base, learningRates: learningRates, seeds: seeds, saveTimes: saveTimes)
        var points: [Point] = []
        var completed = true
        rates: for eta in learningRates {
            var runs: [Run] = []
            for offset in 0..<seeds {
                if let shouldStop, shouldStop() { completed = false; break }
                guard let finished = try Self.run(base: base, learningRate: eta, seedOffset: offset, saveTimes: saveTimes,
                                                  precision: Scalar.self, shouldStop: shouldStop) else { completed = false; break }
                runs.append(finished)
            }
            if !runs.isEmpty { points.append(Point(learningRate: eta, runs: runs)) }
            if !completed { break rates }
        }
        return LearningRateSweep(points: points, completed: completed)
    }
}

extension LearningRateSweep.Point {
    /// The point of learning rate `learningRate` from its finished runs, in seed order.
    public init(learningRate: Double, runs: [LearningRateSweep.Run]) {
        self.init(learningRate: learningRate, maxRelativeDeviations: runs.map(\.maxRelativeDeviation), seeds: runs.map(\.seed))
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
