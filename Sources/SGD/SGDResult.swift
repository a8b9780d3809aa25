import Riccati

/// What ``SGDSimulator/run(progress:checkpointEvery:checkpoint:shouldStop:)`` produced.
///
/// `Codable`: the encoded form holds the teacher spectrum's values, the recorded steps, times
/// and `(M, P)` (each matrix as its shape and row-major entries), the statistics and, unless it
/// is `Activation.he2`, the activation (absent means `he2`); the observables are derived data
/// and are recomputed from the states on decoding (the same computation the run made, so a
/// round trip gives back equal values). Decoding validates the
/// spectrum and every state as their initialisers do.
public struct SGDResult: Sendable, Equatable {
    /// `false` when the run stopped early because ``SGDSimulator/run(progress:checkpointEvery:checkpoint:shouldStop:)``'s
    /// `shouldStop` returned `true` (an interruption); the series then end at the last recorded step.
    public var completed = true
    /// The step the run ended at (``SGDConfiguration/steps`` when completed).
    public var finalStep = 0
    /// The teacher spectrum the run learned (the observables refer to it).
    public var spectrum: TeacherSpectrum
    public var learningRate: Double
    public var steps: [Int]
    /// `t = η k`.
    public var times: [Double]
    /// `(M, P)` at each recorded step, in double precision.
    public var states: [OverlapState]
    public var observables: [Observables]
    public var statistics: SGDStatistics
    /// The activation of the run: its ``observables`` hold this activation's population risk.
    public var activation: Activation = .he2
    public var risk: [Double] { observables.map(\.risk) }
}

extension SGDResult: Codable {
    enum CodingKeys: String, CodingKey {
        case completed, finalStep, spectrum, learningRate, steps, times, states, statistics, activation
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(completed, forKey: .completed)
        try container.encode(finalStep, forKey: .finalStep)
        try container.encode(spectrum.values, forKey: .spectrum)
        try container.encode(learningRate, forKey: .learningRate)
        try container.encode(steps, forKey: .steps)
        try container.encode(times, forKey: .times)
        try container.encode(states.map(OverlapStateRecord.init), forKey: .states)
        try container.encode(statistics, forKey: .statistics)
        if activation != .he2 { try container.encode(activation, forKey: .activation) }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        completed = try container.decode(Bool.self, forKey: .completed)
        finalStep = try container.decode(Int.self, forKey: .finalStep)
        do {
            spectrum = try TeacherSpectrum(try container.decode([Double].self, forKey: .spectrum))
        } catch let error as RiccatiError {
            throw DecodingError.dataCorruptedError(forKey: .spectrum, in: container, debugDescription: error.description)
        }
        learningRate = try container.decode(Double.self, forKey: .learningRate)
        steps = try container.decode([Int].self, forKey: .steps)
        times = try container.decode([Double].self, forKey: .times)
        states = try container.decode([OverlapStateRecord].self, forKey: .states).map { try $0.state() }
        statistics = try container.decode(SGDStatistics.self, forKey: .statistics)
        activation = try container.decodeIfPresent(Activation.self, forKey: .activation) ?? .he2
        guard steps.count == states.count, times.count == states.count else {
            throw DecodingError.dataCorruptedError(forKey: .states, in: container,
                                                   debugDescription: "\(steps.count) steps, \(times.count) times and \(states.count) states")
        }
        var observables: [Observables] = []
        for state in states {
            do {
                observables.append(try RecordedObservables.of(state, spectrum: spectrum, activation: activation))
            } catch {
                throw DecodingError.dataCorruptedError(forKey: .states, in: container, debugDescription: error.description)
            }
        }
        self.observables = observables
    }
}
