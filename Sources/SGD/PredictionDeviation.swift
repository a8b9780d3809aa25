import Foundation

/// How far an ensemble's mean risk lies from a prediction of it, per recorded time and in summary.
///
/// With the ensemble mean `R̄(t)`, its standard error `SE(t)` (``SeedEnsembleResult``) and the
/// prediction `R_pred(t)`:
///
///     relative(t)        = |R̄(t) − R_pred(t)| / R_pred(t)
///     standardErrors(t)  = |R̄(t) − R_pred(t)| / SE(t)
///
/// (`R_pred` floored at the least normal number; `standardErrors` is 0 where the difference is 0,
/// e.g. at `t = 0`, infinite where `SE = 0` and the difference is not, and NaN where `SE` is
/// NaN: one run). Times the prediction did not reach hold NaN throughout. The summaries run over
/// the recorded times `t ≥ ` ``summaryStartTime`` with finite values, and are NaN when there is
/// none (a horizon shorter than 1, or one run for the standard errors).
public struct PredictionDeviation: Sendable, Equatable, Codable {
    /// The predicted risk at each recorded time (NaN where the prediction did not reach).
    public var risk: [Double]
    public var relative: [Double]
    public var standardErrors: [Double]
    /// Mean of ``relative`` over `t ≥ 1`.
    public var meanRelative: Double
    /// Largest ``relative`` over `t ≥ 1`.
    public var maxRelative: Double
    /// Mean of ``standardErrors`` over `t ≥ 1`.
    public var meanStandardErrors: Double
    /// Largest ``standardErrors`` over `t ≥ 1`.
    public var maxStandardErrors: Double

    /// The summaries start at `t = 1`, after the first escapes of the usual set-ups.
    public static let summaryStartTime = 1.0

    /// Compares `mean ± standardError` with `prediction` at `times`; `prediction` may be shorter
    /// (a prediction that stopped early) and is padded with NaN.
    public init(times: [Double], mean: [Double], standardError: [Double], prediction: [Double]) {
        risk = times.indices.map { $0 < prediction.count ? prediction[$0] : .nan }
        var relative: [Double] = [], errors: [Double] = []
        for index in times.indices {
            let difference = abs(mean[index] - risk[index])
            relative.append(difference / Swift.max(risk[index], .leastNormalMagnitude))
            errors.append(difference == 0 ? 0 : difference / standardError[index])
        }
        self.relative = relative
        standardErrors = errors
        let summarised = times.indices.filter { times[$0] >= Self.summaryStartTime }
        func finite(_ values: [Double]) -> [Double] { summarised.map { values[$0] }.filter(\.isFinite) }
        let finiteRelative = finite(relative), finiteErrors = finite(errors)
        meanRelative = finiteRelative.isEmpty ? .nan : finiteRelative.reduce(0, +) / Double(finiteRelative.count)
        maxRelative = finiteRelative.max() ?? .nan
        meanStandardErrors = finiteErrors.isEmpty ? .nan : finiteErrors.reduce(0, +) / Double(finiteErrors.count)
        maxStandardErrors = finiteErrors.max() ?? .nan
    }
}
