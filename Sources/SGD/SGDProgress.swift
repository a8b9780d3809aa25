/// A progress report, about twice a second.
public struct SGDProgress: Sendable, Equatable, Codable {
    public var step: Int
    public var totalSteps: Int
    public var time: Double
    /// The mini-batch loss `mean ½ e²` of the last step (the population risk is `2 E[½e²]` only
    /// without label noise).
    public var batchLoss: Double
    public var stepsPerSecond: Double
    public var secondsRemaining: Double
}
