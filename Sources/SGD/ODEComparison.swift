import Foundation
import LinearAlgebra
import Riccati

/// SGD against the overlap ODE from the SGD's own `(M0, P0)`, at the SGD's recorded times.
public struct ODEComparison: Sendable {
    public var times: [Double]
    public var riskSGD: [Double]
    public var riskODE: [Double]
    /// `|R_SGD − R_ODE| / R_ODE` per time.
    public var relativeDeviation: [Double]
    /// `‖G_SGD − G_ODE‖_F / ‖Λ‖_F` per time.
    public var overlapDeviation: [Double]
    public var sgd: SGDResult
    public var ode: Solution
    public var maxRelativeDeviation: Double { relativeDeviation.max() ?? 0 }
    public var maxOverlapDeviation: Double { overlapDeviation.max() ?? 0 }

    /// Runs SGD with `configuration` in `Scalar` precision, then integrates the ODE with the
    /// exact propagator from the recorded `(M0, P0)` and compares at every recorded time.
    /// When `shouldStop` ends the SGD run early (``SGDResult/completed`` is then `false`), the
    /// comparison covers the times recorded so far.
    public static func run<Scalar: SGDScalar>(
        _ configuration: SGDConfiguration, precision: Scalar.Type, progress: ((SGDProgress) -> Void)? = nil,
        shouldStop: (() -> Bool)? = nil
    ) throws(SGDError) -> ODEComparison {
        let sgd = try SGDSimulator<Scalar>(configuration: configuration).run(progress: progress, shouldStop: shouldStop)
        return try compare(sgd, spectrum: configuration.spectrum)
    }

    /// Compares a finished SGD run with the ODE.
    public static func compare(_ sgd: SGDResult, spectrum: TeacherSpectrum) throws(SGDError) -> ODEComparison {
        guard let initial = sgd.states.first, sgd.times.first == 0, let last = sgd.times.last else {
            throw .invalidInput("the SGD run recorded no initial state")
        }
        let ode: Solution
        do {
            let problem = try OverlapProblem(spectrum: spectrum, initialState: initial, finalTime: Swift.max(last, .leastNormalMagnitude),
                                             saveTimes: sgd.times)
            ode = try solve(problem, method: .exact(ExactPropagatorOptions()))
        } catch {
            throw .invalidInput("ODE: \(error)")
        }
        guard ode.status.isSuccess, ode.times.count == sgd.times.count else {
            throw .invalidInput("ODE integration failed: \(ode.message)")
        }
        let lambdaNorm = Swift.max(LinearAlgebra.euclideanNorm(spectrum.values), .leastNormalMagnitude)
        var relative: [Double] = [], overlap: [Double] = []
        for index in sgd.times.indices {
            let a = sgd.risk[index], b = ode.risk[index]
            relative.append(abs(a - b) / Swift.max(b, .leastNormalMagnitude))
            overlap.append((sgd.states[index].signalGram - ode.states[index].signalGram).frobeniusNorm / lambdaNorm)
        }
        return ODEComparison(times: sgd.times, riskSGD: sgd.risk, riskODE: ode.risk, relativeDeviation: relative,
                             overlapDeviation: overlap, sgd: sgd, ode: ode)
    }
}

/// Deviation from the ODE against the learning rate, averaged over seeds.
public struct LearningRateSweep: Sendable {
    public struct Point: Sendable {
        public var learningRate: Double
        /// Per seed, the maximum relative risk deviation over the recorded times.
        public var maxRelativeDeviations: [Double]
        public var seeds: [UInt64]
        public var meanMaxRelativeDeviation: Double { maxRelativeDeviations.reduce(0, +) / Double(Swift.max(1, maxRelativeDeviations.count)) }
    }
    public var points: [Point]
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
    /// time horizon `T = η_base·K_base` (so `K = round(T/η)`) with save times at the same `t`.
    public static func run<Scalar: SGDScalar>(
        base: SGDConfiguration, learningRates: [Double], seeds: Int, saveTimes: [Double], precision: Scalar.Type
    ) throws(SGDError) -> LearningRateSweep {
        guard !learningRates.isEmpty else { throw .invalidInput("--lr-sweep needs at least one learning rate") }
        guard seeds >= 1 else { throw .invalidInput("--seeds must be ≥ 1, got \(seeds)") }
        let horizon = base.learningRate * Double(base.steps)
        var points: [Point] = []
        for eta in learningRates {
            guard eta.isFinite, eta > 0 else { throw .invalidInput("--lr-sweep values must be finite and > 0, got \(eta)") }
            var configuration = base
            configuration.learningRate = eta
            configuration.steps = Swift.max(1, Int((horizon / eta).rounded()))
            configuration.saveSteps = saveTimes.map { Swift.min(configuration.steps, Int(($0 / eta).rounded())) }
            var deviations: [Double] = [], usedSeeds: [UInt64] = []
            for offset in 0..<seeds {
                configuration.seed = base.seed &+ UInt64(offset)
                let comparison = try ODEComparison.run(configuration, precision: Scalar.self)
                deviations.append(comparison.maxRelativeDeviation)
                usedSeeds.append(configuration.seed)
            }
            points.append(Point(learningRate: eta, maxRelativeDeviations: deviations, seeds: usedSeeds))
        }
        return LearningRateSweep(points: points)
    }
}
