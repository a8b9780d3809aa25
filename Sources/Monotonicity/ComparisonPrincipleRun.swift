import Riccati

/// One method's run of the comparison-principle experiment.
public struct ComparisonPrincipleRun: Sendable {
    public var method: IntegrationMethod
    /// From the lower initial condition (trajectory A).
    public var lower: Solution
    /// From the perturbed, larger initial condition (trajectory B).
    public var upper: Solution
    /// `G_A(t)` against `G_B(t)` at every saved time; the principle says `G_A ⪯ G_B`.
    public var comparison: TrajectoryComparison
}

// Synthesised from the stored properties.
extension ComparisonPrincipleRun: Equatable, Codable {}
