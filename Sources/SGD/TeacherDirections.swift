import LinearAlgebra

/// The teacher directions `Θ` (`r×d`, orthonormal rows).
public enum TeacherDirections: Sendable, Equatable {
    /// `Θ = [I_r 0]`: labels need no GEMM and `M` is a column slice of `W` (the default).
    case canonical
    /// `Θ` from the QR of a `d×r` standard Gaussian matrix drawn from stream 1 of the seed.
    case random
    /// A given `r×d` matrix with orthonormal rows (checked to 1e-10).
    case given(Matrix)
}
