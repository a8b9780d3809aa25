import LinearAlgebra
import Sampling

/// The model parameters that fix a random initialisation (<doc:Conventions>).
public struct RandomInitialization: Sendable, Equatable {
    /// Student width `r_s ≥ 1`.
    public var studentWidth: Int
    /// Teacher width `r ≥ 1`.
    public var teacherWidth: Int
    /// Ambient dimension `d` (a whole number, `d > r`, `d ≥ r_s`, at most 2⁵³). It enters the
    /// overlap ODE only through the initial condition, so values like `1e12` cost nothing.
    public var dimension: Double
    /// Initial scale `σ0 > 0`: rows of `W0` are i.i.d. `N(0, σ0² I_d / d)`.
    public var sigma0: Double
    /// Seed of the xoshiro256** stream.
    public var seed: UInt64
    /// `P0 = 0` (the small-initialisation limit) instead of the Wishart draw.
    public var smallInitialization: Bool

    public init(studentWidth: Int, teacherWidth: Int, dimension: Double, sigma0: Double = 1, seed: UInt64 = 0, smallInitialization: Bool = false) {
        self.studentWidth = studentWidth
        self.teacherWidth = teacherWidth
        self.dimension = dimension
        self.sigma0 = sigma0
        self.seed = seed
        self.smallInitialization = smallInitialization
    }

    /// Checks `r ≥ 1`, `r_s ≥ 1`, `d` whole with `r < d ≤ 2⁵³` and `r_s ≤ d`, and finite `σ0 > 0`.
    public func validate() throws(RiccatiError) {
        guard teacherWidth >= 1 else { throw .invalid("teacherWidth", teacherWidth, "must be ≥ 1") }
        guard studentWidth >= 1 else { throw .invalid("studentWidth", studentWidth, "must be ≥ 1") }
        guard dimension.isFinite, dimension == dimension.rounded(), dimension <= 9_007_199_254_740_992 else {
            throw .invalid("dimension", dimension, "must be a whole number no larger than 2^53")
        }
        guard dimension > Double(teacherWidth) else {
            throw .invalid("dimension", dimension, "must exceed the teacher width r = \(teacherWidth)")
        }
        guard dimension >= Double(studentWidth) else {
            throw .invalid("dimension", dimension, "must be at least the student width r_s = \(studentWidth)")
        }
        guard sigma0.isFinite, sigma0 > 0 else { throw .invalid("sigma0", sigma0, "must be finite and > 0") }
    }

    /// Samples `(M0, P0)` directly, in `O(r_s² r + r_s³)` operations, never forming `W0`.
    ///
    /// - `M0` has i.i.d. `N(0, σ0²/d)` entries, drawn first, row by row.
    /// - `P0 = W⊥W⊥ᵀ` with `W⊥` the `r_s×(d − r)` orthogonal part of `W0`: Wishart with
    ///   `n = d − r` degrees of freedom and scale `σ0²/d`. When `n ≥ r_s` it is drawn by the
    ///   Bartlett decomposition `P0 = (σ0²/d) L Lᵀ`, `L` lower triangular with
    ///   `L_ii = √χ²_{n−i+1}` and `L_ij ~ N(0, 1)` below the diagonal (drawn row by row,
    ///   the diagonal after the entries left of it). When `n < r_s` (tiny `d`) `W⊥` itself is
    ///   drawn and `P0` is singular, as it should be.
    /// - With ``smallInitialization``, `P0 = 0` and only `M0` is drawn.
    public func sample() throws(RiccatiError) -> OverlapState {
        try validate()
        let rs = studentWidth, r = teacherWidth
        var generator = Xoshiro256StarStar(seed: seed)
        let entryScale = sigma0 / dimension.squareRoot()
        var m = Matrix(rows: rs, columns: r)
        for index in 0..<m.storage.count { m.storage[index] = entryScale * NormalSampler.next(using: &generator) }
        if smallInitialization { return try OverlapState(overlap: m) }

        let degrees = dimension - Double(r)
        var p: Matrix
        if degrees >= Double(rs) {
            var bartlett = Matrix(rows: rs, columns: rs)
            for i in 0..<rs {
                for j in 0..<i { bartlett[i, j] = NormalSampler.next(using: &generator) }
                bartlett[i, i] = ChiSquareSampler.next(degreesOfFreedom: degrees - Double(i), using: &generator).squareRoot()
            }
            p = BLAS.gram(bartlett)
        } else {
            let n = Int(degrees)
            var orthogonalPart = Matrix(rows: rs, columns: n)
            for index in 0..<orthogonalPart.storage.count {
                orthogonalPart.storage[index] = NormalSampler.next(using: &generator)
            }
            p = BLAS.gram(orthogonalPart)
        }
        let wishartScale = sigma0 * sigma0 / dimension
        for index in 0..<p.storage.count { p.storage[index] *= wishartScale }
        return try OverlapState(overlap: m, orthogonalGram: p)
    }
}

extension OverlapState {
    /// The small-initialisation state with a given signal block: `P0 = 0` and `M0` an
    /// `r_s×r` factor with `M0ᵀM0 = G0`, taken from the top `r_s` eigenpairs of `G0`
    /// (`M0`'s row `k` is `√μ_k v_kᵀ`). Throws when `G0` is not symmetric PSD or has rank
    /// above `r_s` (beyond a relative 1e-10).
    public init(signalGram g0: Matrix, studentWidth rs: Int) throws(RiccatiError) {
        guard rs >= 1 else { throw .invalid("studentWidth", rs, "must be ≥ 1") }
        let decomposition: SymmetricEigendecomposition
        do {
            decomposition = try LinearAlgebra.symmetricEigendecomposition(g0)
        } catch {
            throw .invalidParameter(name: "signalGram", value: "", reason: "must be a finite symmetric matrix (\(error.description))")
        }
        let r = g0.rows
        let values = decomposition.values, vectors = decomposition.vectors!
        let tolerance = 1e-10 * Swift.max(1, values.last ?? 0)
        guard (values.first ?? 0) >= -tolerance else {
            throw .invalidParameter(name: "signalGram", value: "smallest eigenvalue \(values.first ?? 0)", reason: "must be positive semidefinite")
        }
        let kept = Swift.min(rs, r)
        if r > kept, values[r - kept - 1] > tolerance {
            throw .incompatibleParameters(names: ["signalGram", "studentWidth"], reason: "G0 has rank above the student width r_s = \(rs): eigenvalue \(values[r - kept - 1]) would be dropped")
        }
        var m = Matrix(rows: rs, columns: r)
        for k in 0..<kept {
            let source = r - 1 - k
            let factor = Swift.max(values[source], 0).squareRoot()
            for j in 0..<r { m[k, j] = factor * vectors[j, source] }
        }
        try self.init(overlap: m)
    }
}
