/// What a finished run of a ``SeedEnsemble`` keeps.
struct SeedRun: Sendable {
    var risks: [Double]
    var statistics: SGDStatistics
}
