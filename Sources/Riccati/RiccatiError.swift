import LinearAlgebra

/// Errors of the `Riccati` module. Invalid input is reported before any work is done.
public enum RiccatiError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A parameter or input matrix violates the model's constraints. The message names it.
    case invalidInput(String)
    /// A linear-algebra routine failed (for instance a non-positive-definite `K_h`).
    case linearAlgebra(LinearAlgebraError)

    public var description: String {
        switch self {
        case .invalidInput(let message): return message
        case .linearAlgebra(let error): return error.description
        }
    }
}
