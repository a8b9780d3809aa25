/// An interval `[start, end]` between consecutive times on which an order fails.
public struct IntervalViolation: Sendable, Equatable, Codable {
    public var start: Double
    public var end: Double
    /// The offending eigenvalue: for a failure of `X(start) ⪯ X(end)` it is
    /// `λ_min(X(end) − X(start)) < 0`; for a failure of `X(start) ⪰ X(end)` it is
    /// `λ_min(X(start) − X(end)) < 0`.
    public var eigenvalue: Double
    /// Unit vector `v` with `vᵀ D v = eigenvalue < 0` for that difference `D`.
    public var witness: [Double]
}
