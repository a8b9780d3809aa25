import Riccati

/// One grid point of a scaling sweep.
public struct SweepPoint: Sendable, Equatable, Codable {
    public var alpha: Double
    public var teacherWidth: Int
    public var studentWidth: Int
    public var dimension: Double
    public var sigma0: Double
    public var seed: UInt64
    public var smallInitialization: Bool
    public var times: [Double]
    /// ODE risk (exact propagator; dopri5 for a non-quadratic activation) at `times`.
    public var risk: [Double]
    /// `R_add(t)` at `times`; empty for a non-quadratic activation (the additive model is He₂'s).
    public var riskAdditive: [Double]
    /// The fit window `[t0, t1]`, `nil` when it is empty or undefined.
    public var window: ClosedRange<Double>?
    /// Log-log slope of the ODE risk over the window.
    public var fittedSlope: Double?
    /// Log-log slope of the additive model over the same window (same times).
    public var additiveSlope: Double?
    /// `(1 − 2α)/α`.
    public var asymptoticSlope: Double?
    public var statistics: IntegrationStatistics
}
