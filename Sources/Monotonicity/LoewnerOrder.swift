import LinearAlgebra
import Riccati

/// Loewner-order comparisons (MODEL.md, "Loewner order and monotonicity").
///
/// `X ⪯ Y` iff `Y − X ⪰ 0`. Numerically: `λ_min(Y − X) ≥ −τ` with the absolute tolerance
/// `τ = relativeTolerance · max(‖X‖_F, ‖Y‖_F)` (so the verdict does not change when both
/// matrices are rescaled). Only the two extreme eigenpairs of `Y − X` are computed, with the
/// index-range selection of LAPACK `dsyevr`.
public enum LoewnerOrder {
    /// Default relative tolerance: a few hundred ulps of the matrices' scale.
    public static let defaultRelativeTolerance = 1e-10
    /// Largest relative asymmetry `max|A_ij − A_ji| / max(1, max|A|)` accepted in an input.
    public static let symmetryTolerance = 1e-10

    /// Compares two symmetric matrices of the same size.
    ///
    /// Throws `RiccatiError.invalidParameter(name:value:reason:)` (naming `relativeTolerance`,
    /// `x` or `y`) for a negative or non-finite tolerance, empty matrices, non-finite entries or
    /// asymmetry beyond ``symmetryTolerance``, and `RiccatiError.incompatibleParameters(names:reason:)`
    /// for mismatched sizes.
    public static func compare(_ x: Matrix, _ y: Matrix, relativeTolerance: Double = defaultRelativeTolerance) throws(RiccatiError) -> LoewnerComparison {
        guard relativeTolerance.isFinite, relativeTolerance >= 0 else {
            throw .invalidParameter(name: "relativeTolerance", value: "\(relativeTolerance)", reason: "must be finite and ≥ 0")
        }
        guard x.rows == y.rows, x.columns == y.columns else {
            throw .incompatibleParameters(names: ["x", "y"],
                                          reason: "cannot compare a \(x.rows)×\(x.columns) matrix with a \(y.rows)×\(y.columns) one")
        }
        guard x.rows >= 1 else { throw .invalidParameter(name: "x", value: "\(x.rows)×\(x.columns)", reason: "must not be empty") }
        for (name, matrix) in [("x", x), ("y", y)] {
            guard matrix.isSquare else {
                throw .invalidParameter(name: name, value: "\(matrix.rows)×\(matrix.columns)", reason: "must be square")
            }
            guard matrix.isFinite else { throw .invalidParameter(name: name, value: "", reason: "has NaN or infinite entries") }
            let asymmetry = matrix.asymmetry, allowed = symmetryTolerance * Swift.max(1, matrix.maxAbs)
            guard asymmetry <= allowed else {
                throw .invalidParameter(name: name, value: "max |A_ij − A_ji| = \(asymmetry)",
                                        reason: "must be symmetric within \(allowed) (relative \(symmetryTolerance))")
            }
        }
        let n = x.rows
        var difference = y - x
        difference.symmetrize()
        let smallest: SymmetricEigendecomposition, largest: SymmetricEigendecomposition
        do {
            let solver = try SymmetricEigensolver(dimension: n)
            smallest = try solver.decompose(difference, range: .indices(first: 0, last: 0))
            largest = try solver.decompose(difference, range: .indices(first: n - 1, last: n - 1))
        } catch {
            throw .linearAlgebra(error)
        }
        guard let low = smallest.values.first, let high = largest.values.first,
              let lowVectors = smallest.vectors, let highVectors = largest.vectors else {
            throw .linearAlgebra(.lapackFailure(routine: "dsyevr", info: 0, detail: "no extreme eigenpair of Y − X was returned"))
        }
        let tolerance = relativeTolerance * Swift.max(x.frobeniusNorm, y.frobeniusNorm)
        let relation: LoewnerRelation
        switch (low >= -tolerance, high <= tolerance) {
        case (true, true): relation = .equal
        case (true, false): relation = .lessOrEqual
        case (false, true): relation = .greaterOrEqual
        case (false, false): relation = .incomparable
        }
        return LoewnerComparison(
            relation: relation, smallestEigenvalue: low, largestEigenvalue: high,
            smallestWitness: column(lowVectors, 0), largestWitness: column(highVectors, 0),
            tolerance: tolerance)
    }

    static func column(_ matrix: Matrix, _ j: Int) -> [Double] { (0..<matrix.rows).map { matrix[$0, j] } }
}
