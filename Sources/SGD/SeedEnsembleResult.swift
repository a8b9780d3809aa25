import Riccati

/// The risk series of the finished runs of a ``SeedEnsemble`` and their mean and standard error.
///
/// With `n` finished runs and risks `R_1(t) … R_n(t)` at a recorded time `t`:
///
///     mean  R̄(t)   = (1/n) Σ_i R_i(t)
///     SE(t)        = s(t)/√n,   s(t)² = Σ_i (R_i(t) − R̄(t))² / (n − 1)
///
/// (the sample standard deviation over √n). With one run `SE` is NaN (`null` in the reports);
/// with none both are NaN.
public struct SeedEnsembleResult: Sendable, Equatable {
    /// `false` when `shouldStop` ended the ensemble before every run finished.
    public var completed = true
    /// `N`, the runs the ensemble was asked for (``seeds`` holds those that finished).
    public var requestedRuns: Int
    /// The seeds of the finished runs, increasing.
    public var seeds: [UInt64] = []
    /// The recorded steps (the same for every run) and `t = η·k`.
    public var steps: [Int]
    public var times: [Double]
    /// `(M0, P0)`, the common initial state of every run.
    public var initialState: OverlapState
    /// Per finished run (in ``seeds``' order), the population risk at each recorded time.
    public var risks: [[Double]] = []
    /// Per finished run, its statistics.
    public var statistics: [SGDStatistics] = []

    /// An ensemble of `requestedRuns` runs with none finished yet, recording `steps` at learning
    /// rate `learningRate`.
    public init(requestedRuns: Int, learningRate: Double, steps: [Int], initialState: OverlapState) {
        self.requestedRuns = requestedRuns
        self.steps = steps
        self.times = steps.map { Double($0) * learningRate }
        self.initialState = initialState
    }

    /// Adds a finished run (`risks` at ``times``).
    public mutating func append(seed: UInt64, risks: [Double], statistics: SGDStatistics) {
        seeds.append(seed)
        self.risks.append(risks)
        self.statistics.append(statistics)
    }

    /// `R̄(t)` at each recorded time (summed in seed order).
    public var riskMean: [Double] {
        let n = Double(risks.count)
        return times.indices.map { k in risks.reduce(0) { $0 + $1[k] } / n }
    }

    /// `SE(t) = s(t)/√n` at each recorded time (two passes over the runs).
    public var riskStandardError: [Double] {
        let n = Double(risks.count)
        guard risks.count >= 2 else { return Array(repeating: .nan, count: times.count) }
        let mean = riskMean
        return times.indices.map { k in
            let squares = risks.reduce(0) { $0 + ($1[k] - mean[k]) * ($1[k] - mean[k]) }
            return (squares / (n - 1)).squareRoot() / n.squareRoot()
        }
    }

    /// The runs' statistics added up (steps and seconds are totals over the runs, so the rates are
    /// per run; the per-step sizes are those of one run).
    public var totalStatistics: SGDStatistics {
        var total = SGDStatistics()
        for run in statistics {
            total.steps += run.steps
            total.seconds += run.seconds
            total.gemmSeconds += run.gemmSeconds
            total.rngSeconds += run.rngSeconds
            total.gemmMultiplyAddsPerStep = run.gemmMultiplyAddsPerStep
            total.samplesPerStep = run.samplesPerStep
        }
        return total
    }
}
