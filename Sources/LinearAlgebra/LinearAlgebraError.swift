/// Errors thrown by the linear-algebra layer. Every LAPACK `info` value that is not zero is
/// turned into one of these; nothing is silently ignored.
public enum LinearAlgebraError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Operand shapes do not fit together.
    case dimensionMismatch(String)
    /// An argument is out of its documented range.
    case invalidArgument(String)
    /// A NaN or infinity was passed to a routine that needs finite input.
    case nonFiniteInput(routine: String)
    /// The matrix is not (numerically) positive definite: `order` is the size of the first
    /// leading minor that failed (Cholesky), or 0 when an eigenvalue was found `≤ 0`.
    case notPositiveDefinite(routine: String, order: Int, detail: String)
    /// LAPACK reported an illegal argument (`info < 0`): a bug in the caller of LAPACK.
    case illegalLapackArgument(routine: String, argument: Int)
    /// LAPACK's iteration did not converge, or another `info > 0` failure.
    case lapackFailure(routine: String, info: Int, detail: String)

    public var description: String {
        switch self {
        case .dimensionMismatch(let what):
            return "dimension mismatch: \(what)"
        case .invalidArgument(let what):
            return "invalid argument: \(what)"
        case .nonFiniteInput(let routine):
            return "\(routine): the input matrix has NaN or infinite entries"
        case .notPositiveDefinite(let routine, let order, let detail):
            if order > 0 {
                return "\(routine): matrix is not positive definite (leading minor of order \(order) is not positive)\(detail.isEmpty ? "" : "; \(detail)")"
            }
            return "\(routine): matrix is not positive definite\(detail.isEmpty ? "" : "; \(detail)")"
        case .illegalLapackArgument(let routine, let argument):
            return "\(routine): LAPACK rejected argument \(argument) (info = \(-argument)); this is a bug in RiccatiKit"
        case .lapackFailure(let routine, let info, let detail):
            return "\(routine) failed with info = \(info): \(detail)"
        }
    }

    /// Maps a non-zero LAPACK `info` to an error. `positiveMeaning` explains `info > 0` for the routine.
    static func fromInfo(_ info: Int32, routine: String, positiveMeaning: String) -> LinearAlgebraError {
        if info < 0 {
            // LAPACKE uses -1010/-1011 for its own workspace allocation failures.
            if info == -1010 || info == -1011 {
                return .lapackFailure(routine: routine, info: Int(info), detail: "LAPACKE could not allocate memory")
            }
            return .illegalLapackArgument(routine: routine, argument: Int(-info))
        }
        return .lapackFailure(routine: routine, info: Int(info), detail: positiveMeaning)
    }
}
