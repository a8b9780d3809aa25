import Riccati

/// What ``SGDSimulator/run(progress:)`` produced.
public struct SGDResult: Sendable {
    /// `false` when the run stopped early because ``SGDSimulator/run(progress:checkpointEvery:checkpoint:shouldStop:)``'s
    /// `shouldStop` returned `true` (an interruption); the series then end at the last recorded step.
    public var completed = true
    /// The step the run ended at (``SGDConfiguration/steps`` when completed).
    public var finalStep = 0
    public var learningRate: Double
    public var steps: [Int]
    /// `t = η k`.
    public var times: [Double]
    /// `(M, P)` at each recorded step, in double precision.
    public var states: [OverlapState]
    public var observables: [Observables]
    public var statistics: SGDStatistics
    public var risk: [Double] { observables.map(\.risk) }
}
