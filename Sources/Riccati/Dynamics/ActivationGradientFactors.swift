import LinearAlgebra

/// The two factors of the population gradient of the 2-homogeneous student with activation `σ`
/// (<doc:GeneralActivations>): for the state `[M | P]`,
///
///     ½∇_W R = ½ (S W + B Θ),
///     S = diag(s) + A,   A_ii' = 2 n_i n_i' κ′(ρ_ii'),   B_ij = −2 λ_j n_i κ′(m_ij),
///     s_i = 2 Σ_i' q_i' (2κ − ρκ′)(ρ_ii') − 2 Σ_j λ_j (2κ − mκ′)(m_ij),
///
/// with `Q = MMᵀ + P`, `q_i = Q_ii`, `n_i = √q_i`, `ρ_ii' = Q_ii'/(n_i n_i')`, `m_ij = M_ij/n_i`.
/// `S` is `r_s×r_s` and symmetric, `B` is `r_s×r`. ``compute(state:)`` fills them in preallocated
/// buffers: a GEMM for `Q` and one elementwise pass over `Q` and over `M`, one kernel evaluation
/// per entry, in row blocks that two threads can share (``computeGram(state:rows:)``,
/// ``computeFactors(state:rows:)``).
///
/// A neuron of norm 0 is a fixed point of the flow (its gradient `n_i σ′ x` and its row of `M` and
/// `Q` vanish), and stays exactly 0: `n_i` multiplies `A` and `B` as it is, and is floored at
/// `√(smallest normal)` only where it divides, so that its `ρ` and `m` are `0`, not `0/0`. (The
/// field is Lipschitz but not differentiable there: a small neuron grows at a rate independent of
/// its norm.)
/// `ρ` and `m` are clamped to `[−1, 1]` by the kernel (Cauchy–Schwarz holds up to rounding).
final class ActivationGradientFactors {
    let studentWidth: Int
    let teacherWidth: Int
    let kernel: ActivationKernel
    private let lambda: [Double]
    /// `Q = MMᵀ + P` (full, symmetric).
    let gram: ScratchBuffer
    /// `n_i = √Q_ii`.
    let norms: ScratchBuffer
    /// `1/max(n_i, ``normFloor``)`.
    let inverseNorms: ScratchBuffer
    /// The kernel's arguments `ρ_ii'` and `m_ij` and its radial factors `2κ − ρκ′`, by rows.
    private let studentArguments: ScratchBuffer
    private let studentRadial: ScratchBuffer
    private let teacherArguments: ScratchBuffer
    private let teacherRadial: ScratchBuffer
    /// `S` (full, symmetric).
    let studentFactor: ScratchBuffer
    /// `B` (`r_s×r`, row-major).
    let teacherFactor: ScratchBuffer

    /// The floor of `n_i`: `ρ = Q_ii'/(n_i n_i')` stays finite for zero rows.
    static let normFloor = Double.leastNormalMagnitude.squareRoot()

    init(spectrum: TeacherSpectrum, studentWidth rs: Int, activation: Activation) {
        studentWidth = rs
        teacherWidth = spectrum.count
        kernel = ActivationKernel(activation)
        lambda = spectrum.values
        gram = ScratchBuffer(count: rs * rs)
        norms = ScratchBuffer(count: rs)
        inverseNorms = ScratchBuffer(count: rs)
        studentArguments = ScratchBuffer(count: rs * rs)
        studentRadial = ScratchBuffer(count: rs * rs)
        teacherArguments = ScratchBuffer(count: rs * spectrum.count)
        teacherRadial = ScratchBuffer(count: rs * spectrum.count)
        studentFactor = ScratchBuffer(count: rs * rs)
        teacherFactor = ScratchBuffer(count: rs * spectrum.count)
    }

    /// The student rows of part `part` of a two-lane evaluation: `[0, ⌈r_s/2⌉)` for part 0, the rest for part 1.
    func rows(of part: Int) -> Range<Int> {
        let half = (studentWidth + 1) / 2
        return part == 0 ? 0..<half : half..<studentWidth
    }

    /// Fills ``gram``, ``norms``, ``studentFactor`` and ``teacherFactor`` for the packed state `[M | P]`.
    func compute(state: UnsafePointer<Double>) {
        computeGram(state: state, rows: 0..<studentWidth)
        computeFactors(state: state, rows: 0..<studentWidth)
    }

    /// Rows `rows` of `Q = P + MMᵀ` (a GEMM against all of `M`), with their `n_i` and `1/n_i`.
    /// Parts with disjoint rows may run concurrently.
    func computeGram(state: UnsafePointer<Double>, rows: Range<Int>) {
        guard !rows.isEmpty else { return }
        let rs = studentWidth, r = teacherWidth
        let m = state, p = state + rs * r
        let q = gram.pointer, n = norms.pointer, inverse = inverseNorms.pointer
        (q + rows.lowerBound * rs).update(from: p + rows.lowerBound * rs, count: rows.count * rs)
        BLAS.gemm(transposeA: false, transposeB: true, m: rows.count, n: rs, k: r, alpha: 1, a: m + rows.lowerBound * r, lda: r,
                  b: m, ldb: r, beta: 1, c: q + rows.lowerBound * rs, ldc: rs)
        for i in rows {
            n[i] = Swift.max(q[i * rs + i], 0).squareRoot()
            inverse[i] = 1 / Swift.max(n[i], Self.normFloor)
        }
    }

    /// Rows `rows` of `S` and `B`, once every row of ``gram`` is computed (``computeGram(state:rows:)``).
    /// Each row is evaluated in full (both triangles of `A`), so that parts with disjoint rows share
    /// nothing and may run concurrently; `A` comes out exactly symmetric because its arguments are
    /// formed symmetrically (`Q_ii'·(1/n_i · 1/n_i')`, `2·(n_i n_i')·κ′`).
    func computeFactors(state: UnsafePointer<Double>, rows: Range<Int>) {
        let rs = studentWidth, r = teacherWidth
        let m = state
        let q = gram.pointer, n = norms.pointer, inverse = inverseNorms.pointer, s = studentFactor.pointer, b = teacherFactor.pointer
        let slopeAtOne = kernel.slope(1)
        lambda.withUnsafeBufferPointer { l in
            for i in rows {
                // Row i of A (κ′ at ρ_ii', the diagonal entry replaced below) and the student radial sum.
                let arguments = studentArguments.pointer + i * rs, radial = studentRadial.pointer + i * rs, row = s + i * rs
                for k in 0..<rs { arguments[k] = q[i * rs + k] * (inverse[i] * inverse[k]) }
                arguments[i] = 1
                kernel.slopesAndRadialFactors(arguments, count: rs, slopes: row, radial: radial)
                var studentSum = 0.0
                for k in 0..<rs {
                    let normProduct = n[i] * n[k]
                    row[k] *= 2 * normProduct
                    studentSum += n[k] * n[k] * radial[k]
                }
                // Row i of B and the teacher radial sum.
                let teacherArguments = self.teacherArguments.pointer + i * r, teacherRadial = self.teacherRadial.pointer + i * r
                for j in 0..<r { teacherArguments[j] = m[i * r + j] * inverse[i] }
                kernel.slopesAndRadialFactors(teacherArguments, count: r, slopes: b + i * r, radial: teacherRadial)
                var teacherSum = 0.0
                for j in 0..<r {
                    b[i * r + j] *= -2 * l[j] * n[i]
                    teacherSum += l[j] * teacherRadial[j]
                }
                // S_ii = A_ii + s_i (the pair (i, i) is in the radial sum, with ρ_ii = 1).
                row[i] = 2 * n[i] * n[i] * slopeAtOne + 2 * studentSum - 2 * teacherSum
            }
        }
    }
}
