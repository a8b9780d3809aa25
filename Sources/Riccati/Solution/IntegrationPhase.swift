/// One stretch of an `auto` integration: from `startTime` on, `method` took the steps.
public struct IntegrationPhase: Sendable, Equatable, Codable {
    public var startTime: Double
    /// `dopri5`, `rock2` or `rock4`.
    public var method: String

    public init(startTime: Double, method: String) {
        self.startTime = startTime
        self.method = method
    }
}
