import Foundation
import LinearAlgebra

/// The teacher's coefficients `λ_1, …, λ_r ≥ 0` (`Λ = diag(λ)`), see <doc:Conventions>.
///
/// The teacher is `f*(x) = Σ_j λ_j He₂(⟨θ_j, x⟩)` with orthonormal `θ_j`. Entries must be finite
/// and non-negative; they need not be sorted (the width floor sorts them).
public struct TeacherSpectrum: Sendable, Equatable {
    /// `λ_j`, `j = 1 … r` (stored zero-based).
    public let values: [Double]

    /// An explicit spectrum. Throws on an empty list or a negative or non-finite entry.
    public init(_ values: [Double]) throws(RiccatiError) {
        guard !values.isEmpty else { throw .invalidParameter(name: "spectrum", value: "[]", reason: "must have r ≥ 1 entries") }
        for (index, value) in values.enumerated() where !(value.isFinite && value >= 0) {
            throw .invalid("spectrum[\(index)]", value, "must be finite and ≥ 0 (λ_\(index + 1))")
        }
        self.values = values
    }

    /// The power law `λ_j = j^{−α}`, `j = 1 … r`, scaled so that `Σ λ_j² = 1` when `normalized`
    /// (the default, see <doc:Conventions>).
    public static func powerLaw(exponent alpha: Double, count r: Int, normalized: Bool = true) throws(RiccatiError) -> TeacherSpectrum {
        guard alpha.isFinite, alpha >= 0 else { throw .invalid("exponent", alpha, "must be finite and ≥ 0") }
        guard r >= 1 else { throw .invalid("count", r, "must be ≥ 1") }
        var values = (1...r).map { pow(Double($0), -alpha) }
        if normalized {
            let norm = LinearAlgebra.euclideanNorm(values)
            values = values.map { $0 / norm }
        }
        return try TeacherSpectrum(values)
    }

    /// The teacher width `r`.
    public var count: Int { values.count }
    /// `max_j λ_j`.
    public var largest: Double { values.max() ?? 0 }
    /// `‖λ‖² = Σ λ_j²`.
    public var squaredNorm: Double { values.reduce(0) { $0 + $1 * $1 } }

    /// The smallest risk a width-`r_s` student can reach (Eckart–Young):
    /// `R_min = 2 Σ_{j > r_s} λ_(j)²` over the spectrum sorted in decreasing order.
    public func widthFloor(studentWidth rs: Int) -> Double {
        let sorted = values.sorted(by: >)
        guard rs < sorted.count else { return 0 }
        return 2 * sorted[rs...].reduce(0) { $0 + $1 * $1 }
    }
}
