/// The outcome of ``LoewnerOrder/compare(_:_:relativeTolerance:)``.
public struct LoewnerComparison: Sendable, Equatable, Codable {
    public var relation: LoewnerRelation
    /// `λ_min(Y − X)`: the margin of `X ⪯ Y` (negative when it is violated).
    public var smallestEigenvalue: Double
    /// `λ_max(Y − X)`: minus the margin of `X ⪰ Y`.
    public var largestEigenvalue: Double
    /// Unit eigenvector of `λ_min(Y − X)`: when `X ⪯ Y` fails, `vᵀ(Y − X)v = λ_min < 0`.
    public var smallestWitness: [Double]
    /// Unit eigenvector of `λ_max(Y − X)`: when `X ⪰ Y` fails, `vᵀ(Y − X)v = λ_max > 0`.
    public var largestWitness: [Double]
    /// The absolute tolerance used: `relativeTolerance · max(‖X‖_F, ‖Y‖_F)`.
    public var tolerance: Double
}
