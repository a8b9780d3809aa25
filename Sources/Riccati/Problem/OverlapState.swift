import LinearAlgebra

/// The state of the overlap ODE: `M = WΘᵀ` (`r_s×r`, ``overlap``) and
/// `P = W(I − ΘᵀΘ)Wᵀ` (`r_s×r_s`, ``orthogonalGram``). See <doc:OverlapODE>.
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
            throw .invalidParameter(name: "overlap", value: "\(overlap.rows)×\(overlap.columns)", reason: "must be r_s×r with r_s, r ≥ 1")
        }
        guard orthogonalGram.rows == overlap.rows, orthogonalGram.columns == overlap.rows else {
            throw .incompatibleParameters(names: ["orthogonalGram", "overlap"], reason: "P0 must be r_s×r_s = \(overlap.rows)×\(overlap.rows) to match M0 (\(overlap.rows)×\(overlap.columns)), got \(orthogonalGram.rows)×\(orthogonalGram.columns)")
        }
        guard overlap.isFinite else { throw .invalidParameter(name: "overlap", value: "", reason: "must have finite entries (M0 has NaN or infinite ones)") }
        guard orthogonalGram.isFinite else {
            throw .invalidParameter(name: "orthogonalGram", value: "", reason: "must have finite entries (P0 has NaN or infinite ones)")
        }
        let asymmetry = orthogonalGram.asymmetry, allowed = LinearAlgebra.defaultSymmetryTolerance * Swift.max(1, orthogonalGram.maxAbs)
        guard asymmetry <= allowed else {
            throw .invalidParameter(name: "orthogonalGram", value: "max |P_ij − P_ji| = \(asymmetry)",
                                    reason: "must be symmetric (to \(allowed))")
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

    /// `G = MᵀM` (`r×r`), the signal block of `Q = WᵀW` that the paper plots. Computed on each
    /// access (`r²` doubles): a state holds only `M` and `P`, `O(r_s·r + r_s²)`. For its diagonal
    /// or its norm use ``signalGramDiagonal`` and ``signalGramNorm``, which need no `r×r` storage.
    public var signalGram: Matrix { BLAS.gram(overlap, transpose: true) }

    /// `G_jj = Σ_i M_ij²`, the diagonal of ``signalGram``, in `O(r_s·r)` time and `O(r)` memory.
    public var signalGramDiagonal: [Double] {
        let rs = overlap.rows, r = overlap.columns
        var diagonal = [Double](repeating: 0, count: r)
        for i in 0..<rs { for j in 0..<r { diagonal[j] += overlap.storage[i * r + j] * overlap.storage[i * r + j] } }
        return diagonal
    }

    /// `‖G‖_F = ‖MᵀM‖_F = ‖MMᵀ‖_F`, from the `r_s×r_s` Gram matrix `MMᵀ` (no `r×r` storage).
    public var signalGramNorm: Double { BLAS.gram(overlap).frobeniusNorm }

    /// `K = WWᵀ = MMᵀ + P` (`r_s×r_s`).
    public var studentGram: Matrix {
        var k = BLAS.gram(overlap)
        for index in 0..<k.storage.count { k.storage[index] += orthogonalGram.storage[index] }
        return k
    }

    /// Throws unless `λ_min(P) ≥ −1e-10·max(1, ‖P‖_max)`.
    public func validatePositiveSemidefinite() throws(RiccatiError) {
        let smallest: Double
        do {
            smallest = try LinearAlgebra.symmetricEigenvalues(orthogonalGram, range: .indices(first: 0, last: 0))[0]
        } catch {
            throw .linearAlgebra(error)
        }
        let tolerance = 1e-10 * Swift.max(1, orthogonalGram.maxAbs)
        guard smallest >= -tolerance else {
            throw .invalidParameter(name: "orthogonalGram", value: "smallest eigenvalue \(smallest)", reason: "must be positive semidefinite")
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
