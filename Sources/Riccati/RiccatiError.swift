import LinearAlgebra

/// Errors of the `Riccati` module.
///
/// Invalid input is reported before any work is done, by one of the parameter cases; they name
/// the library's parameter (the Swift property or argument label, e.g. `finalTime`,
/// `options.relativeTolerance`, `spectrum[3]`), never a command-line flag. A program that maps
/// those names to its own vocabulary (the `riccati` tool maps them to its flags) uses
/// ``message(naming:)``; ``description`` uses the library's names.
public enum RiccatiError: Error, Equatable, Sendable, CustomStringConvertible, ParameterNamingError {
    /// One parameter has a value outside its domain: `name` `reason`, got `value`
    /// (for instance `finalTime`, "must be finite and > 0", `-1`).
    case invalidParameter(name: String, value: String, reason: String)
    /// Parameters that are each valid but do not fit together (shapes, orderings).
    case incompatibleParameters(names: [String], reason: String)
    /// The request would exceed a limit of the library (a step budget, the memory of the saves).
    case exceedsLimit(names: [String], reason: String)
    /// The method does not apply to the dynamics (for instance the exact propagator to anything
    /// but the quadratic gradient flow).
    case unsupportedMethod(method: String, dynamics: String, reason: String)
    /// An integration that had to succeed to produce the requested value failed at `time`.
    /// (``solve(_:method:locateEscapes:threads:shouldStop:)`` itself reports failures in its
    /// ``Solution/status`` instead, with the saves it reached.)
    case integrationFailed(status: IntegrationStatus, time: Double, message: String)
    /// A linear-algebra routine failed (for instance a non-positive-definite `K_h`).
    case linearAlgebra(LinearAlgebraError)

    /// A parameter error for `name` whose value is shown as `value`'s description.
    public static func invalid(_ name: String, _ value: some CustomStringConvertible, _ reason: String) -> RiccatiError {
        .invalidParameter(name: name, value: value.description, reason: reason)
    }

    public var parameterNames: [String] {
        switch self {
        case .invalidParameter(let name, _, _): return [name]
        case .incompatibleParameters(let names, _), .exceedsLimit(let names, _): return names
        case .unsupportedMethod, .integrationFailed, .linearAlgebra: return []
        }
    }

    public func message(naming: (String) -> String) -> String {
        switch self {
        case .invalidParameter(let name, let value, let reason):
            return Self.invalidParameterMessage(name: name, value: value, reason: reason, naming: naming)
        case .incompatibleParameters(let names, let reason), .exceedsLimit(let names, let reason):
            return Self.parametersMessage(names: names, reason: reason, naming: naming)
        case .unsupportedMethod(let method, let dynamics, let reason):
            return "the \(method) method does not apply to \(dynamics): \(reason)"
        case .integrationFailed(let status, let time, let message):
            return "the integration failed at t = \(time) (\(status.rawValue)): \(message)"
        case .linearAlgebra(let error):
            return error.description
        }
    }

    public var description: String { message(naming: { $0 }) }

    /// The same error with each parameter name passed through `rename`, for a caller that sets a
    /// parameter of this module from one of its own (a sweep's `alphas` setting a spectrum's
    /// `exponent`). Other cases are returned unchanged.
    public func renamingParameters(_ rename: (String) -> String) -> RiccatiError {
        switch self {
        case .invalidParameter(let name, let value, let reason): return .invalidParameter(name: rename(name), value: value, reason: reason)
        case .incompatibleParameters(let names, let reason): return .incompatibleParameters(names: names.map(rename), reason: reason)
        case .exceedsLimit(let names, let reason): return .exceedsLimit(names: names.map(rename), reason: reason)
        case .unsupportedMethod, .integrationFailed, .linearAlgebra: return self
        }
    }
}

/// An error that can say which parameters it is about and phrase its message with another
/// program's names for them (a command-line tool's flags, a configuration file's keys).
public protocol ParameterNamingError: Error {
    /// The library names of the parameters the error is about (empty for run-time failures).
    var parameterNames: [String] { get }
    /// The message, with each parameter name passed through `naming`.
    func message(naming: (String) -> String) -> String
}

extension ParameterNamingError {
    /// "`name` `reason`, got `value`" (without ", got …" when `value` is empty), with `name`
    /// passed through `naming`: the message of an invalid parameter in every error type.
    public static func invalidParameterMessage(name: String, value: String, reason: String, naming: (String) -> String) -> String {
        value.isEmpty ? "\(naming(name)) \(reason)" : "\(naming(name)) \(reason), got \(value)"
    }

    /// "`names`: `reason`" with each name passed through `naming` (just `reason` without names):
    /// the message of parameters that do not fit together or exceed a limit.
    public static func parametersMessage(names: [String], reason: String, naming: (String) -> String) -> String {
        names.isEmpty ? reason : "\(names.map(naming).joined(separator: ", ")): \(reason)"
    }
}
