/// Errors of the checkpoint reader and writer.
public enum CheckpointError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Not a checkpoint, truncated, corrupt (checksum) or internally inconsistent.
    case malformed(String)
    /// A checkpoint of another format version.
    case unsupportedVersion(found: UInt32, supported: UInt32)
    /// A valid checkpoint of another configuration.
    case configurationMismatch(key: String, checkpoint: String, current: String)

    public var description: String {
        switch self {
        case .malformed(let why): return "not a valid RiccatiKit SGD checkpoint: \(why)"
        case .unsupportedVersion(let found, let supported):
            return "checkpoint format version \(found) is not supported (this build reads version \(supported))"
        case .configurationMismatch(let key, let checkpoint, let current):
            return "the checkpoint belongs to another configuration: \(key) is \(checkpoint) there and \(current) here"
        }
    }
}

extension CheckpointError {
    /// The simulator's error for a snapshot that ``SGDSimulator/restore(_:)`` refuses: the
    /// snapshot does not fit the configuration, naming `snapshot` and, for a configuration
    /// mismatch, the library parameter that differs (``SGDConfiguration/parameterName(forFingerprintKey:)``).
    var restoreError: SGDError {
        switch self {
        case .configurationMismatch(let key, let checkpoint, let current):
            let name = SGDConfiguration.parameterName(forFingerprintKey: key)
            return .incompatibleParameters(
                names: ["snapshot", name],
                reason: "the checkpoint belongs to another configuration: \(name) is \(checkpoint) there and \(current) here")
        case .malformed, .unsupportedVersion:
            return .invalidParameter(name: "snapshot", value: "", reason: "is not a valid checkpoint: \(description)")
        }
    }
}
