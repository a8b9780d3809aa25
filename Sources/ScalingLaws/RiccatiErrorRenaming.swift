import Riccati

extension RiccatiError {
    /// The same error with each parameter name passed through `rename` (for a caller that sets
    /// a parameter of the `Riccati` module from one of its own). Other cases are returned unchanged.
    func renamingParameters(_ rename: (String) -> String) -> RiccatiError {
        switch self {
        case .invalidParameter(let name, let value, let reason): return .invalidParameter(name: rename(name), value: value, reason: reason)
        case .incompatibleParameters(let names, let reason): return .incompatibleParameters(names: names.map(rename), reason: reason)
        case .exceedsLimit(let names, let reason): return .exceedsLimit(names: names.map(rename), reason: reason)
        case .unsupportedMethod, .integrationFailed, .linearAlgebra, .invalidInput: return self
        }
    }
}
