/// A time at which an expected order fails, with the eigenvector that shows it.
public struct OrderViolation: Sendable, Equatable, Codable {
    public var time: Double
    /// The offending eigenvalue: `λ_min` of the difference that should be PSD (negative).
    public var eigenvalue: Double
    /// Unit vector `v` with `vᵀ D v = eigenvalue < 0`, `D` the difference that should be PSD.
    public var witness: [Double]
}
