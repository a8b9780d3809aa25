import Riccati

/// A seed ensemble's mean risk against two predictions from its common `(M0, P0)`, at its
/// recorded times `t = ηk` (MODEL.md, "SGD-aware effective dynamics"):
///
/// - the **gradient flow** (`η → 0` at fixed `B`) of the runs' activation, integrated as
///   ``ODEComparison`` does (the exact propagator for the quadratic model, Dormand–Prince 5(4)
///   otherwise);
/// - the **SGD-aware** prediction: `QuadraticSGDMeanMap` of the Riccati module at the runs' own
///   `η`, `d`, `B` and `ς`, the exact one-step mean of minibatch SGD iterated `k` times. It is
///   derived for the quadratic model only: for any other activation there is none (``sgdAware``
///   and ``sgdAwareDeviation`` are `nil`) rather than a quadratic prediction of another model.
///
/// Each prediction's ``PredictionDeviation`` measures `|R̄ − R_pred|` relative to `R_pred` and
/// in standard errors of the mean. With `c = η·d/B` (``stepNoiseRatio``) away from 0 the gradient
/// flow misses the noise's effect, which the mean map keeps (it neglects only the fluctuations of
/// the overlaps themselves).
public struct SeedEnsembleComparison: Sendable, Equatable {
    public var ensemble: SeedEnsembleResult
    /// `c = η·d/B` of the runs.
    public var stepNoiseRatio: Double
    /// The gradient flow's solution at the recorded times (fewer when stopped early).
    public var gradientFlow: Solution
    /// The mean map's solution at the recorded times: fewer when it diverged (status
    /// `nonFiniteState`, see ``sgdAwareNote``) or was stopped; `nil` for an activation other than
    /// the quadratic model, which has no SGD-aware prediction.
    public var sgdAware: Solution?
    public var gradientFlowDeviation: PredictionDeviation
    /// `nil` exactly when ``sgdAware`` is.
    public var sgdAwareDeviation: PredictionDeviation?

    /// `false` when `shouldStop` ended the ensemble or a prediction early.
    public var completed: Bool {
        ensemble.completed && gradientFlow.status != .interrupted && sgdAware?.status != .interrupted
    }

    /// `nil` when the mean map reached every recorded time or does not exist (see ``sgdAware``);
    /// otherwise why it did not (it diverged, or was stopped) and the last time it reached.
    public var sgdAwareNote: String? {
        guard let sgdAware, sgdAware.times.count < ensemble.times.count else { return nil }
        let reached = sgdAware.times.last.map { "t = \($0)" } ?? "no time"
        if sgdAware.status == .interrupted { return "the SGD-aware mean map was stopped at \(reached)" }
        return "the SGD-aware mean map diverged after \(reached) (η·d/B = \(stepNoiseRatio)): its series ends there (NaN/null beyond); \(sgdAware.message)"
    }

    /// Runs `ensemble` (``SeedEnsemble/run(precision:progress:shouldStop:)``), then compares.
    public static func run<Scalar: SGDScalar>(_ ensemble: SeedEnsemble, precision: Scalar.Type,
                                              progress: (@Sendable (_ finishedRuns: Int) -> Void)? = nil,
                                              shouldStop: (@Sendable () -> Bool)? = nil) throws(SGDError) -> SeedEnsembleComparison {
        if ensemble.base.activation.isQuadratic {
            _ = try meanMap(for: ensemble.base)   // refused before any run, not after all of them
        }
        let result = try ensemble.run(precision: Scalar.self, progress: progress, shouldStop: shouldStop)
        return try compare(result, configuration: ensemble.base, shouldStop: shouldStop)
    }

    /// Compares an ensemble's result, run with `configuration` (its `η`, `d`, `B`, `ς`, spectrum
    /// and activation), with both predictions (the gradient flow alone for a non-quadratic activation). Throws ``SGDError/odeFailed(_:)`` when the gradient flow
    /// fails; a mean map that diverges is kept as far as it got (``sgdAwareNote``).
    public static func compare(_ result: SeedEnsembleResult, configuration: SGDConfiguration,
                               shouldStop: (() -> Bool)? = nil) throws(SGDError) -> SeedEnsembleComparison {
        guard result.times.first == 0, result.risks.allSatisfy({ $0.count == result.times.count }) else {
            throw .invalidParameter(name: "result", value: "", reason: "must record t = 0 and hold one risk per recorded time in every run")
        }
        let initial = result.initialState
        let spectrum = configuration.spectrum
        let prediction = try ODEComparison.gradientFlow(spectrum: spectrum, studentWidth: initial.studentWidth,
                                                        activation: configuration.activation)
        let flow = try OverlapPrediction.solve(prediction.dynamics, method: prediction.method, from: initial, at: result.times,
                                               shouldStop: shouldStop)
        guard flow.status.isSuccess || flow.status == .interrupted else {
            throw .odeFailed(.integrationFailed(status: flow.status, time: flow.times.last ?? 0, message: flow.message))
        }
        let aware = configuration.activation.isQuadratic
            ? try OverlapPrediction.solve(try meanMap(for: configuration), method: nil, from: initial, at: result.times, shouldStop: shouldStop)
            : nil
        let mean = result.riskMean, standardError = result.riskStandardError
        return SeedEnsembleComparison(
            ensemble: result, stepNoiseRatio: configuration.stepNoiseRatio, gradientFlow: flow, sgdAware: aware,
            gradientFlowDeviation: PredictionDeviation(times: result.times, mean: mean, standardError: standardError, prediction: flow.risk),
            sgdAwareDeviation: aware.map { PredictionDeviation(times: result.times, mean: mean, standardError: standardError, prediction: $0.risk) })
    }

    /// `QuadraticSGDMeanMap` at the `η`, `B`, `d`, `ς` and width of `configuration`. Throws
    /// ``SGDError/incompatibleParameters(names:reason:)`` naming `activation` unless the
    /// configuration's activation is the quadratic model, the only one the map is derived for.
    public static func meanMap(for configuration: SGDConfiguration) throws(SGDError) -> QuadraticSGDMeanMap {
        guard configuration.activation.isQuadratic else {
            throw .incompatibleParameters(names: ["activation"],
                                          reason: "the SGD-aware mean map is derived for the quadratic model (he2) only, not \(configuration.activation.label)")
        }
        let parameters = MinibatchSGDParameters(learningRate: configuration.learningRate, batchSize: configuration.batchSize,
                                                dimension: configuration.dimension, labelNoise: configuration.labelNoise)
        do {
            return try QuadraticSGDMeanMap(spectrum: configuration.spectrum, studentWidth: configuration.studentWidth, parameters: parameters)
        } catch {
            throw SGDError(parameterError: error) ?? .odeFailed(error)
        }
    }
}
