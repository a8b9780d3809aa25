/// What a finished run of a ``SeedEnsemble`` keeps: its risk at each recorded time and its
/// statistics (``SeedEnsemble/runSeed(_:shared:precision:shouldStop:)``). `Codable`, so that a
/// run made elsewhere (one task of a distributed ensemble) can be merged.
public struct SeedRun: Sendable, Equatable, Codable {
    /// The population risk at each recorded time of the ensemble.
    public var risks: [Double]
    public var statistics: SGDStatistics

    public init(risks: [Double], statistics: SGDStatistics) {
        self.risks = risks
        self.statistics = statistics
    }
}
