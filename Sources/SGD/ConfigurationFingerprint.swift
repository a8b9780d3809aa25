extension SGDConfiguration {
    /// One `key = value` pair of a configuration fingerprint.
    public struct FingerprintEntry: Sendable, Equatable, Hashable {
        public var key: String
        public var value: String
        public init(key: String, value: String) { self.key = key; self.value = value }
    }

    /// Every setting that changes the numbers of a run, as text. Reals are written with Swift's
    /// shortest round-trip form, so two fingerprints agree exactly when the bit patterns do;
    /// arrays (`λ`, a given `W0` or `Θ`, the save steps) enter through a 64-bit FNV-1a hash of
    /// their bit patterns. `threads` is left out: it does not change the numbers. The activation
    /// enters as `activation = ` its `Activation.label` unless it is the quadratic model, which
    /// adds no key (so checkpoints written before activations existed still resume, and a
    /// checkpoint of any other activation is refused by a run of the quadratic model and back).
    public func fingerprint(precision: String) -> [FingerprintEntry] {
        var entries: [(String, String)] = [
            ("precision", precision), ("d", "\(dimension)"), ("rs", "\(studentWidth)"), ("r", "\(spectrum.count)"),
            ("lambda", SnapshotHash.of(spectrum.values)), ("batch", "\(batchSize)"), ("lr", "\(learningRate)"),
            ("steps", "\(steps)"), ("sigma0", "\(sigma0)"), ("noise", "\(labelNoise)"), ("seed", "\(seed)"),
            ("saveSteps", SnapshotHash.of(saveSteps.map(Double.init))),
            ("initW", initialWeights.map { SnapshotHash.of($0.storage) } ?? "random"),
        ]
        switch teacher {
        case .canonical: entries.append(("teacher", "canonical"))
        case .random: entries.append(("teacher", "random"))
        case .given(let theta): entries.append(("teacher", "given " + SnapshotHash.of(theta.storage)))
        }
        if !activation.isQuadratic { entries.append(("activation", activation.label)) }
        return entries.map { FingerprintEntry(key: $0.0, value: $0.1) }
    }

    /// The library parameter a fingerprint key stands for (`lr` is ``learningRate``, …); the
    /// keys themselves are part of the checkpoint format and never change. Unknown keys map to
    /// themselves.
    public static func parameterName(forFingerprintKey key: String) -> String {
        switch key {
        case "d": return "dimension"
        case "rs": return "studentWidth"
        case "r", "lambda": return "spectrum"
        case "batch": return "batchSize"
        case "lr": return "learningRate"
        case "noise": return "labelNoise"
        case "initW": return "initialWeights"
        default: return key
        }
    }
}
