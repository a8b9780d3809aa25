import LinearAlgebra
import Riccati

/// The Loewner-order relation between two symmetric matrices `X` and `Y`.
/// Raw values are the command line's JSON spellings.
public enum LoewnerRelation: String, Sendable, Equatable, Codable {
    /// `X ⪯ Y`: `Y − X` is positive semidefinite (within tolerance), and not `X = Y`.
    case lessOrEqual = "le"
    /// `X ⪰ Y`.
    case greaterOrEqual = "ge"
    /// `X = Y` within tolerance: both of the above.
    case equal = "eq"
    /// Neither: `Y − X` is indefinite beyond the tolerance.
    case incomparable

    /// `true` when `X ⪯ Y` holds (`le` or `eq`).
    public var impliesLessOrEqual: Bool { self == .lessOrEqual || self == .equal }
    /// `true` when `X ⪰ Y` holds (`ge` or `eq`).
    public var impliesGreaterOrEqual: Bool { self == .greaterOrEqual || self == .equal }
}

/// The outcome of ``LoewnerOrder/compare(_:_:relativeTolerance:)``.
public struct LoewnerComparison: Sendable, Equatable {
    public var relation: LoewnerRelation
    /// `λ_min(Y − X)`: the margin of `X ⪯ Y` (negative when it is violated).
    public var smallestEigenvalue: Double
    /// `λ_max(Y − X)`: minus the margin of `X ⪰ Y`.
    public var largestEigenvalue: Double
    /// Unit eigenvector of `λ_min(Y − X)`: when `X ⪯ Y` fails, `vᵀ(Y − X)v = λ_min < 0`.
    public var smallestWitness: [Double]
    /// Unit eigenvector of `λ_max(Y − X)`: when `X ⪰ Y` fails, `vᵀ(Y − X)v = λ_max > 0`.
    public var largestWitness: [Double]
    /// The absolute tolerance used: `relativeTolerance · max(‖X‖_F, ‖Y‖_F)`.
    public var tolerance: Double
}

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
    /// Throws ``RiccatiError/invalidInput(_:)`` for mismatched sizes, non-finite entries,
    /// asymmetry beyond ``symmetryTolerance`` or a negative/non-finite tolerance.
    public static func compare(_ x: Matrix, _ y: Matrix, relativeTolerance: Double = defaultRelativeTolerance) throws(RiccatiError) -> LoewnerComparison {
        guard relativeTolerance.isFinite, relativeTolerance >= 0 else {
            throw .invalidInput("the Loewner tolerance must be finite and ≥ 0, got \(relativeTolerance)")
        }
        guard x.rows == y.rows, x.columns == y.columns else {
            throw .invalidInput("cannot compare a \(x.rows)×\(x.columns) matrix with a \(y.rows)×\(y.columns) one")
        }
        guard x.rows >= 1 else { throw .invalidInput("cannot compare empty matrices") }
        do {
            try LinearAlgebra.requireSymmetric(x, name: "X", tolerance: symmetryTolerance)
            try LinearAlgebra.requireSymmetric(y, name: "Y", tolerance: symmetryTolerance)
        } catch {
            throw .invalidInput(error.description.replacingOccurrences(of: "invalid argument: ", with: ""))
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
        let tolerance = relativeTolerance * Swift.max(x.frobeniusNorm, y.frobeniusNorm)
        let low = smallest.values[0], high = largest.values[0]
        let relation: LoewnerRelation
        switch (low >= -tolerance, high <= tolerance) {
        case (true, true): relation = .equal
        case (true, false): relation = .lessOrEqual
        case (false, true): relation = .greaterOrEqual
        case (false, false): relation = .incomparable
        }
        return LoewnerComparison(
            relation: relation, smallestEigenvalue: low, largestEigenvalue: high,
            smallestWitness: column(smallest.vectors!, 0), largestWitness: column(largest.vectors!, 0),
            tolerance: tolerance)
    }

    static func column(_ matrix: Matrix, _ j: Int) -> [Double] { (0..<matrix.rows).map { matrix[$0, j] } }
}

/// Which symmetric matrix of a trajectory to compare.
public enum TrajectoryObservable: String, Sendable, CaseIterable {
    /// `G = MᵀM` (`r×r`), the signal block of `Q = WᵀW`; invariant under `M → UM`, so it can be
    /// compared across methods and initial conditions.
    case signalGram = "G"
    /// `K = MMᵀ + P` (`r_s×r_s`). `K → UKUᵀ` under a change of gauge, so its order is only
    /// meaningful between trajectories expressed in the same gauge.
    case studentGram = "K"

    func matrix(of state: OverlapState) -> Matrix {
        switch self {
        case .signalGram: return state.signalGram
        case .studentGram: return state.studentGram
        }
    }
}
