import Foundation
import LinearAlgebra

/// The teacher's coefficients `λ_1, …, λ_r ≥ 0` (`Λ = diag(λ)`), see MODEL.md.
///
/// The teacher is `f*(x) = Σ_j λ_j He₂(⟨θ_j, x⟩)` with orthonormal `θ_j`. Entries must be finite
/// and non-negative; they need not be sorted (the width floor sorts them).
public struct TeacherSpectrum: Sendable, Equatable {
    /// `λ_j`, `j = 1 … r` (stored zero-based).
    public let values: [Double]

    /// An explicit spectrum. Throws on an empty list or a negative or non-finite entry.
    public init(_ values: [Double]) throws(RiccatiError) {
        guard !values.isEmpty else { throw .invalidInput("the teacher spectrum λ is empty; need r ≥ 1 entries") }
        for (index, value) in values.enumerated() where !(value.isFinite && value >= 0) {
            throw .invalidInput("λ_\(index + 1) = \(value) is invalid; every λ_j must be finite and ≥ 0")
        }
        self.values = values
    }

    /// The power law `λ_j = j^{−α}`, `j = 1 … r`, scaled so that `Σ λ_j² = 1` when `normalized`
    /// (the default, as in MODEL.md).
    public static func powerLaw(exponent alpha: Double, count r: Int, normalized: Bool = true) throws(RiccatiError) -> TeacherSpectrum {
        guard alpha.isFinite, alpha >= 0 else { throw .invalidInput("--alpha must be finite and ≥ 0, got \(alpha)") }
        guard r >= 1 else { throw .invalidInput("--r (teacher width) must be ≥ 1, got \(r)") }
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

/// The state of the overlap ODE: `M = WΘᵀ` (`r_s×r`, ``overlap``) and
/// `P = W(I − ΘᵀΘ)Wᵀ` (`r_s×r_s`, ``orthogonalGram``). See MODEL.md, "Overlap coordinates".
public struct OverlapState: Sendable, Equatable {
    /// `M`, `r_s × r`: `M_ij = ⟨w_i, θ_j⟩`.
    public var overlap: Matrix
    /// `P`, `r_s × r_s`, symmetric positive semidefinite: the Gram matrix of the parts of the
    /// student's rows orthogonal to the teacher subspace.
    public var orthogonalGram: Matrix

    /// Checks shapes, finiteness and the symmetry of `P` (relative tolerance 1e-10), then
    /// stores `P` exactly symmetrised. `P`'s positive semidefiniteness is checked by
    /// ``validatePositiveSemidefinite()``.
    public init(overlap: Matrix, orthogonalGram: Matrix) throws(RiccatiError) {
        guard overlap.rows >= 1, overlap.columns >= 1 else {
            throw .invalidInput("M0 must be r_s×r with r_s, r ≥ 1, got \(overlap.rows)×\(overlap.columns)")
        }
        guard orthogonalGram.rows == overlap.rows, orthogonalGram.columns == overlap.rows else {
            throw .invalidInput("P0 must be r_s×r_s = \(overlap.rows)×\(overlap.rows) to match M0 (\(overlap.rows)×\(overlap.columns)), got \(orthogonalGram.rows)×\(orthogonalGram.columns)")
        }
        guard overlap.isFinite else { throw .invalidInput("M0 has NaN or infinite entries") }
        do {
            try LinearAlgebra.requireSymmetric(orthogonalGram, name: "P0")
        } catch {
            throw .invalidInput(error.description.replacingOccurrences(of: "invalid argument: ", with: ""))
        }
        var symmetric = orthogonalGram
        symmetric.symmetrize()
        self.overlap = overlap
        self.orthogonalGram = symmetric
    }

    /// An initial state with `P = 0` (the small-initialisation limit).
    public init(overlap: Matrix) throws(RiccatiError) {
        try self.init(overlap: overlap, orthogonalGram: Matrix(rows: overlap.rows, columns: overlap.rows))
    }

    /// The student width `r_s`.
    public var studentWidth: Int { overlap.rows }
    /// The teacher width `r`.
    public var teacherWidth: Int { overlap.columns }

    /// `G = MᵀM` (`r×r`), the signal block of `Q = WᵀW` that the paper plots.
    public var signalGram: Matrix { BLAS.gram(overlap, transpose: true) }

    /// `K = WWᵀ = MMᵀ + P` (`r_s×r_s`).
    public var studentGram: Matrix {
        var k = BLAS.gram(overlap)
        for index in 0..<k.storage.count { k.storage[index] += orthogonalGram.storage[index] }
        return k
    }

    /// Throws unless `λ_min(P) ≥ −1e-10·max(1, ‖P‖_max)`.
    public func validatePositiveSemidefinite() throws(RiccatiError) {
        do {
            let smallest = try LinearAlgebra.symmetricEigenvalues(orthogonalGram, range: .indices(first: 0, last: 0))[0]
            let tolerance = 1e-10 * Swift.max(1, orthogonalGram.maxAbs)
            guard smallest >= -tolerance else {
                throw RiccatiError.invalidInput("P0 is not positive semidefinite: smallest eigenvalue \(smallest)")
            }
        } catch let error as RiccatiError {
            throw error
        } catch let error as LinearAlgebraError {
            throw .linearAlgebra(error)
        } catch {
            throw .invalidInput("\(error)")
        }
    }

    /// Packs `[M | P]` row-major into one vector of length `r_s·r + r_s²` (the layout the
    /// integrators work on).
    var packed: [Double] { overlap.storage + orthogonalGram.storage }

    /// Unpacks the layout of ``packed``.
    init(packed: UnsafePointer<Double>, studentWidth rs: Int, teacherWidth r: Int) {
        var m = Matrix(rows: rs, columns: r)
        var p = Matrix(rows: rs, columns: rs)
        m.storage.withUnsafeMutableBufferPointer { $0.baseAddress!.update(from: packed, count: rs * r) }
        p.storage.withUnsafeMutableBufferPointer { $0.baseAddress!.update(from: packed + rs * r, count: rs * rs) }
        p.symmetrize()
        overlap = m
        orthogonalGram = p
    }
}
