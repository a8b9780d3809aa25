import Riccati

/// Errors of the simulator. Parameter errors name the library's parameters (the properties of
/// ``SGDConfiguration`` and the argument labels of the functions that throw them), never
/// command-line flags; a program with its own vocabulary maps them with ``message(naming:)``
/// (see `ParameterNamingError` in the Riccati module).
public enum SGDError: Error, Equatable, Sendable, CustomStringConvertible, ParameterNamingError {
    /// One parameter has a value outside its domain: `name` `reason`, got `value`.
    case invalidParameter(name: String, value: String, reason: String)
    /// Parameters that are each valid but do not fit together.
    case incompatibleParameters(names: [String], reason: String)
    /// The request would exceed a limit (matrix sizes, memory).
    case exceedsLimit(names: [String], reason: String)
    /// The gradient-flow ODE that an SGD run is compared with could not be integrated (a
    /// run-time failure of the `Riccati` module, for instance
    /// `RiccatiError.integrationFailed(status:time:message:)`).
    case odeFailed(RiccatiError)
    /// The run diverged: a non-finite or exploding loss at `step`.
    case diverged(step: Int, time: Double, risk: Double, hint: String)
    /// Writing a checkpoint failed.
    case checkpointFailed(String)

    /// The parameter error of the `Riccati` module with the same structure, or `nil` for its
    /// run-time failures.
    init?(parameterError error: RiccatiError) {
        switch error {
        case .invalidParameter(let name, let value, let reason): self = .invalidParameter(name: name, value: value, reason: reason)
        case .incompatibleParameters(let names, let reason): self = .incompatibleParameters(names: names, reason: reason)
        case .exceedsLimit(let names, let reason): self = .exceedsLimit(names: names, reason: reason)
        case .unsupportedMethod, .integrationFailed, .linearAlgebra: return nil
        }
    }

    public var parameterNames: [String] {
        switch self {
        case .invalidParameter(let name, _, _): return [name]
        case .incompatibleParameters(let names, _), .exceedsLimit(let names, _): return names
        case .odeFailed, .diverged, .checkpointFailed: return []
        }
    }

    public func message(naming: (String) -> String) -> String {
        switch self {
        case .invalidParameter(let name, let value, let reason):
            return Self.invalidParameterMessage(name: name, value: value, reason: reason, naming: naming)
        case .incompatibleParameters(let names, let reason), .exceedsLimit(let names, let reason):
            return Self.parametersMessage(names: names, reason: reason, naming: naming)
        case .odeFailed(let error): return "the gradient-flow ODE could not be integrated: \(error.description)"
        case .diverged(let step, let time, let risk, let hint):
            return "SGD diverged at step \(step) (t = \(time)): population risk \(risk); \(hint)"
        case .checkpointFailed(let why): return "could not write the checkpoint: \(why)"
        }
    }

    public var description: String { message(naming: { $0 }) }

    /// The same error with each parameter name passed through `rename` (for a caller that sets
    /// a parameter from one of its own, for instance ``SGDConfiguration/studentWidth`` from an
    /// entry of a list of widths). Run-time failures are returned unchanged.
    public func renamingParameters(_ rename: (String) -> String) -> SGDError {
        switch self {
        case .invalidParameter(let name, let value, let reason): return .invalidParameter(name: rename(name), value: value, reason: reason)
        case .incompatibleParameters(let names, let reason): return .incompatibleParameters(names: names.map(rename), reason: reason)
        case .exceedsLimit(let names, let reason): return .exceedsLimit(names: names.map(rename), reason: reason)
        case .odeFailed, .diverged, .checkpointFailed: return self
        }
    }
}
