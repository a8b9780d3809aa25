import Foundation
import LinearAlgebra

/// The result of ``solve(_:method:locateEscapes:threads:shouldStop:)``: states and observables at
/// the save times reached, the escape time of each direction, and how the integration ended.
///
/// A failed integration (``status`` not `.success`) still returns the saves made before the
/// failure. A solution is `Codable`: what it encodes is what it holds (the dense output of
/// Dormand–Prince, when stored, is not encoded; a decoded solution re-integrates instead).
public struct Solution: Sendable, Codable, Equatable {
    /// The integration method; `nil` for a discrete dynamics, iterated at its own step.
    public let method: IntegrationMethod?
    /// The effective dynamics that was solved, with its parameters.
    public let dynamics: DynamicsDescriptor
    /// Its ``EffectiveDynamics/name``.
    public let dynamicsName: String
    public let spectrum: TeacherSpectrum
    public let initialState: OverlapState
    public let finalTime: Double
    /// Save times reached, in increasing order.
    public let times: [Double]
    /// `(M, P)` at each save time.
    public let states: [OverlapState]
    /// Observables at each save time.
    public let observables: [Observables]
    /// First time `G_jj ≥ λ_j/2` per direction, found on the method's continuous output (on the
    /// time grid for a discrete dynamics); `nil` if not reached by the end (or `λ_j = 0`, or
    /// escape times were not located).
    public let escapeTimes: [Double?]
    /// `R_min = 2 Σ_{j>r_s} λ_j²`, the smallest risk of a width-`r_s` quadratic student; `0` for a
    /// non-quadratic ``Activation``, whose smallest risk at width `r_s` has no closed form.
    public let riskFloor: Double
    public let status: IntegrationStatus
    public let message: String
    public let statistics: IntegrationStatistics
    let denseSegments: [DenseOutputSegment]
    /// The dynamics itself, for re-integration (a decoded solution rebuilds it from ``dynamics``).
    let solvedDynamics: (any EffectiveDynamics)?

    init(method: IntegrationMethod?, dynamics: DynamicsDescriptor, dynamicsName: String, spectrum: TeacherSpectrum,
         initialState: OverlapState, finalTime: Double, times: [Double], states: [OverlapState], observables: [Observables],
         escapeTimes: [Double?], riskFloor: Double, status: IntegrationStatus, message: String,
         statistics: IntegrationStatistics, denseSegments: [DenseOutputSegment], solvedDynamics: (any EffectiveDynamics)?) {
        self.solvedDynamics = solvedDynamics
        self.method = method
        self.dynamics = dynamics
        self.dynamicsName = dynamicsName
        self.spectrum = spectrum
        self.initialState = initialState
        self.finalTime = finalTime
        self.times = times
        self.states = states
        self.observables = observables
        self.escapeTimes = escapeTimes
        self.riskFloor = riskFloor
        self.status = status
        self.message = message
        self.statistics = statistics
        self.denseSegments = denseSegments
    }

    private enum CodingKeys: String, CodingKey {
        case method, dynamics, dynamicsName, spectrum, initialState, finalTime, times, states, observables
        case escapeTimes, riskFloor, status, message, statistics
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        method = try container.decodeIfPresent(IntegrationMethod.self, forKey: .method)
        dynamics = try container.decode(DynamicsDescriptor.self, forKey: .dynamics)
        dynamicsName = try container.decode(String.self, forKey: .dynamicsName)
        spectrum = try container.decode(TeacherSpectrum.self, forKey: .spectrum)
        initialState = try container.decode(OverlapState.self, forKey: .initialState)
        finalTime = try container.decode(Double.self, forKey: .finalTime)
        times = try container.decode([Double].self, forKey: .times)
        states = try container.decode([OverlapState].self, forKey: .states)
        observables = try container.decode([Observables].self, forKey: .observables)
        escapeTimes = try container.decode([Double?].self, forKey: .escapeTimes)
        riskFloor = try container.decode(Double.self, forKey: .riskFloor)
        status = try container.decode(IntegrationStatus.self, forKey: .status)
        message = try container.decode(String.self, forKey: .message)
        statistics = try container.decode(IntegrationStatistics.self, forKey: .statistics)
        denseSegments = []
        solvedDynamics = nil
        guard states.count == times.count, observables.count == times.count, escapeTimes.count == spectrum.count,
              initialState.teacherWidth == spectrum.count,
              states.allSatisfy({ $0.studentWidth == initialState.studentWidth && $0.teacherWidth == spectrum.count }) else {
            throw DecodingError.dataCorrupted(DecodingError.Context(
                codingPath: decoder.codingPath,
                debugDescription: "a solution's times, states, observables and escape times do not fit together"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(method, forKey: .method)
        try container.encode(dynamics, forKey: .dynamics)
        try container.encode(dynamicsName, forKey: .dynamicsName)
        try container.encode(spectrum, forKey: .spectrum)
        try container.encode(initialState, forKey: .initialState)
        try container.encode(finalTime, forKey: .finalTime)
        try container.encode(times, forKey: .times)
        try container.encode(states, forKey: .states)
        try container.encode(observables, forKey: .observables)
        try container.encode(escapeTimes, forKey: .escapeTimes)
        try container.encode(riskFloor, forKey: .riskFloor)
        try container.encode(status, forKey: .status)
        try container.encode(message, forKey: .message)
        try container.encode(statistics, forKey: .statistics)
    }

    /// The first `count` saves (all of them when there are fewer), for comparing two runs that
    /// were stopped at different times over their common saves. Escape times after the last
    /// kept save become `nil`; the status, message and statistics are kept.
    public func prefix(saves count: Int) -> Solution {
        let kept = Swift.max(0, Swift.min(count, times.count))
        let last = kept > 0 ? times[kept - 1] : -Double.infinity
        return Solution(method: method, dynamics: dynamics, dynamicsName: dynamicsName, spectrum: spectrum, initialState: initialState,
                        finalTime: finalTime, times: Array(times.prefix(kept)), states: Array(states.prefix(kept)),
                        observables: Array(observables.prefix(kept)), escapeTimes: escapeTimes.map { $0.flatMap { $0 <= last ? $0 : nil } },
                        riskFloor: riskFloor, status: status, message: message, statistics: statistics,
                        denseSegments: denseSegments.filter { $0.startTime + $0.stepSize <= last }, solvedDynamics: solvedDynamics)
    }

    /// The method's ``IntegrationMethod/name``, or `map` for a discrete dynamics.
    public var methodName: String { method?.name ?? "map" }

    /// Equal when everything a solution encodes is equal (the dense output and the dynamics
    /// instance kept for re-integration are not compared).
    public static func == (lhs: Solution, rhs: Solution) -> Bool {
        lhs.method == rhs.method && lhs.dynamics == rhs.dynamics && lhs.dynamicsName == rhs.dynamicsName
            && lhs.spectrum == rhs.spectrum && lhs.initialState == rhs.initialState && lhs.finalTime == rhs.finalTime
            && lhs.times == rhs.times && lhs.states == rhs.states && lhs.observables == rhs.observables
            && lhs.escapeTimes == rhs.escapeTimes && lhs.riskFloor == rhs.riskFloor && lhs.status == rhs.status
            && lhs.message == rhs.message && lhs.statistics == rhs.statistics
    }

    public var risk: [Double] { observables.map(\.risk) }
    public var alignment: [[Double?]] { observables.map(\.alignment) }
    public var learned: [Int] { observables.map(\.learned) }

    /// `G = MᵀM` at save index `index`.
    public func signalGram(at index: Int) -> Matrix { states[index].signalGram }

    /// The state at any `t ∈ [0, final time reached]` (on the time grid for a discrete dynamics):
    /// - exact propagator: exact re-propagation from the nearest saved state at or before `t`;
    /// - RK4 and discrete maps: the steps from the nearest saved state, landing on `t` (the value
    ///   the solver would have saved had `t` been a save time);
    /// - Dormand–Prince: the stored dense output when ``AdaptiveStepOptions/storeDenseOutput``
    ///   was set (fourth order); otherwise re-integration from the nearest saved state with the
    ///   same tolerances (accurate to those tolerances, not bitwise the original path).
    ///
    /// Re-integration rebuilds the dynamics from ``dynamics``; a ``DynamicsDescriptor/custom(name:)``
    /// dynamics has only its saved states.
    public func state(at t: Double) throws(RiccatiError) -> OverlapState {
        let reached = times.last ?? 0
        guard t.isFinite, t >= 0, t <= Swift.max(reached, status.isSuccess ? finalTime : reached) else {
            throw .invalid("t", t, "must lie inside the solved interval [0, \(reached)]")
        }
        let rs = initialState.studentWidth
        if let exactIndex = times.firstIndex(of: t) { return states[exactIndex] }
        var rebuilt = solvedDynamics
        if rebuilt == nil { rebuilt = try self.dynamics.dynamics(spectrum: spectrum, studentWidth: rs) }
        guard let dynamics = rebuilt else {
            throw .invalid("t", t, "is not a save time, and the \(dynamicsName) dynamics cannot be rebuilt to re-integrate")
        }
        if !denseSegments.isEmpty {
            var low = 0, high = denseSegments.count - 1
            while low < high {
                let mid = (low + high + 1) / 2
                if denseSegments[mid].startTime <= t { low = mid } else { high = mid - 1 }
            }
            let n = dynamics.stateDimension
            var output = [Double](repeating: 0, count: n)
            output.withUnsafeMutableBufferPointer { denseSegments[low].evaluate(at: t, dimension: n, into: $0.baseAddress!) }
            return output.withUnsafeBufferPointer { dynamics.unpack($0.baseAddress!) }
        }
        var target = t
        if let step = dynamics.timeEvolution.step { target = try OverlapProblem.gridTime(t, step: step, name: "t") }
        var startTime = 0.0
        var start = initialState
        if let index = times.lastIndex(where: { $0 <= target }) {
            startTime = times[index]
            start = states[index]
        }
        if startTime == target { return start }
        let method = self.method?.withoutStoredDenseOutput
        let output: DriverOutput
        do {
            let stepper = try makeStepper(dynamics: dynamics, method: method)
            let run = {
                try IntegrationDriver.run(stepper: stepper, initialTime: startTime, initialState: dynamics.pack(start),
                                          finalTime: target, saveTimes: [target])
            }
            output = try method.map { try $0.inFloatingPointMode(run) } ?? run()
        } catch let error as RiccatiError {
            throw error
        } catch {
            throw .integrationFailed(status: .nonFiniteState, time: startTime, message: "\(error)")
        }
        guard output.status.isSuccess, let packed = output.states.last else {
            throw .integrationFailed(status: output.status, time: target, message: "re-integration to t = \(target) failed: \(output.message)")
        }
        return packed.withUnsafeBufferPointer { dynamics.unpack($0.baseAddress!) }
    }
}
