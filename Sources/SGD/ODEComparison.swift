import Foundation
import LinearAlgebra
import Riccati

/// SGD against the overlap ODE (the population gradient flow of the run's activation) from the
/// SGD's own `(M0, P0)`, at the SGD's recorded times.
///
/// `Codable` and `Equatable`, like the `Solution` of the Riccati module it holds.
public struct ODEComparison: Sendable {
    public var times: [Double]
    public var riskSGD: [Double]
    public var riskODE: [Double]
    /// `|R_SGD − R_ODE| / R_ODE` per time.
    public var relativeDeviation: [Double]
    /// `‖G_SGD − G_ODE‖_F / ‖Λ‖_F` per time.
    public var overlapDeviation: [Double]
    public var sgd: SGDResult
    public var ode: Solution
    public var maxRelativeDeviation: Double { relativeDeviation.max() ?? 0 }
    public var maxOverlapDeviation: Double { overlapDeviation.max() ?? 0 }

    /// Runs SGD with `configuration` in `Scalar` precision, then integrates the gradient flow of its
    /// activation from the recorded `(M0, P0)` (``compare(_:spectrum:shouldStop:)``) and compares
    /// at every recorded time.
    /// When `shouldStop` ends the SGD run or the ODE integration early (``SGDResult/completed``
    /// is then `false`, and ``completed`` too), the comparison covers the times recorded so far.
    public static func run<Scalar: SGDScalar>(
        _ configuration: SGDConfiguration, precision: Scalar.Type, progress: ((SGDProgress) -> Void)? = nil,
        shouldStop: (() -> Bool)? = nil
    ) throws(SGDError) -> ODEComparison {
        try configuration.validate()
        let recorded = recordedBytes(for: configuration)
        guard recorded <= SGDConfiguration.maximumRecordedBytes else {
            throw .exceedsLimit(
                names: ["saveSteps", "studentWidth"],
                reason: "the SGD and ODE series of up to \(configuration.memoryEstimate().recordCount) records each need "
                    + "\(String(format: "%.3g", recorded / 1e9)) GB; at most 2 GiB: save fewer steps or use a smaller width")
        }
        let sgd = try SGDSimulator<Scalar>(configuration: configuration).run(progress: progress, shouldStop: shouldStop)
        return try compare(sgd, spectrum: configuration.spectrum, shouldStop: shouldStop)
    }

    /// `false` when `shouldStop` ended the SGD run or the ODE integration early.
    public var completed: Bool { sgd.completed }

    /// The bytes a comparison's recorded series need: the SGD run's records
    /// (``SGDConfiguration/memoryEstimate(precision:recordCount:)``) and the ODE's states and
    /// observables at the same times, about as many again. ``run(_:precision:progress:shouldStop:)``
    /// refuses more than ``SGDConfiguration/maximumRecordedBytes``.
    public static func recordedBytes(for configuration: SGDConfiguration) -> Double {
        2 * configuration.memoryEstimate().recordedBytes
    }

    /// The relative tolerance of the Dormand–Prince 5(4) integration of a non-quadratic flow
    /// (absolute tolerance ``predictionAbsoluteTolerance``): far below any SGD deviation worth
    /// measuring, so the comparison measures SGD and not the integrator.
    public static let predictionRelativeTolerance = 1e-9
    /// The absolute tolerance of that integration.
    public static let predictionAbsoluteTolerance = 1e-12

    /// The gradient flow `dW/dt = −½∇_W R` of `activation` in overlap coordinates, and how it is
    /// integrated: the quadratic model's ``Riccati/QuadraticGradientFlow`` with its exact
    /// propagator, any other activation's `GeneralActivationFlow` with adaptive Dormand–Prince 5(4)
    /// at ``predictionRelativeTolerance``. Parameter refusals keep their structure.
    static func gradientFlow(spectrum: TeacherSpectrum, studentWidth: Int,
                             activation: Activation) throws(SGDError) -> (dynamics: any EffectiveDynamics, method: IntegrationMethod) {
        do {
            if activation.isQuadratic {
                return (try QuadraticGradientFlow(spectrum: spectrum, studentWidth: studentWidth), .exact(ExactPropagatorOptions()))
            }
            return (try activation.gradientFlow(spectrum: spectrum, studentWidth: studentWidth),
                    .dormandPrince(DormandPrinceOptions(relativeTolerance: predictionRelativeTolerance,
                                                        absoluteTolerance: predictionAbsoluteTolerance)))
        } catch {
            throw SGDError(parameterError: error) ?? .odeFailed(error)
        }
    }

    /// Compares a finished SGD run with the gradient flow of its activation (``SGDResult/activation``):
    /// the exact propagator for the quadratic model, Dormand–Prince 5(4) at
    /// ``predictionRelativeTolerance`` otherwise. When `shouldStop` ends the ODE integration
    /// early, the comparison covers the times it reached and its ``SGDResult/completed`` is `false`.
    public static func compare(_ sgd: SGDResult, spectrum: TeacherSpectrum,
                               shouldStop: (() -> Bool)? = nil) throws(SGDError) -> ODEComparison {
        var sgd = sgd
        guard let initial = sgd.states.first, sgd.times.first == 0, sgd.times.last != nil else {
            throw .invalidParameter(name: "sgd", value: "", reason: "must hold the state at t = 0 (the run recorded no initial state)")
        }
        guard initial.teacherWidth == spectrum.count, sgd.states.count == sgd.times.count,
              sgd.observables.count == sgd.times.count else {
            throw .incompatibleParameters(names: ["sgd", "spectrum"],
                                          reason: "the SGD states have r = \(initial.teacherWidth) columns but the spectrum has \(spectrum.count) values, or the series differ in length")
        }
        let flow = try gradientFlow(spectrum: spectrum, studentWidth: initial.studentWidth, activation: sgd.activation)
        let ode = try OverlapPrediction.solve(flow.dynamics, method: flow.method, from: initial, at: sgd.times, shouldStop: shouldStop)
        if ode.status == .interrupted, ode.times.count <= sgd.times.count {
            // Stopped mid-integration: compare the times the ODE reached.
            let count = ode.times.count
            sgd.steps = Array(sgd.steps.prefix(count))
            sgd.times = Array(sgd.times.prefix(count))
            sgd.states = Array(sgd.states.prefix(count))
            sgd.observables = Array(sgd.observables.prefix(count))
            sgd.completed = false
        }
        guard ode.status.isSuccess || ode.status == .interrupted, ode.times.count == sgd.times.count else {
            throw .odeFailed(.integrationFailed(status: ode.status, time: ode.times.last ?? 0, message: ode.message))
        }
        let lambdaNorm = Swift.max(LinearAlgebra.euclideanNorm(spectrum.values), .leastNormalMagnitude)
        var relative: [Double] = [], overlap: [Double] = []
        for index in sgd.times.indices {
            let a = sgd.risk[index], b = ode.risk[index]
            relative.append(abs(a - b) / Swift.max(b, .leastNormalMagnitude))
            overlap.append((sgd.states[index].signalGram - ode.states[index].signalGram).frobeniusNorm / lambdaNorm)
        }
        return ODEComparison(times: sgd.times, riskSGD: sgd.risk, riskODE: ode.risk, relativeDeviation: relative,
                             overlapDeviation: overlap, sgd: sgd, ode: ode)
    }
}

// Synthesised from the stored properties (`Solution` and `SGDResult` are both).
extension ODEComparison: Equatable, Codable {}
