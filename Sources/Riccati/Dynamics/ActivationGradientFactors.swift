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
/// buffers: a SYRK for `Q` and one elementwise pass over the upper triangle of `Q` and over `M`,
/// one kernel evaluation per entry.
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
        studentFactor = ScratchBuffer(count: rs * rs)
        teacherFactor = ScratchBuffer(count: rs * spectrum.count)
    }

    /// Fills ``gram``, ``norms``, ``studentFactor`` and ``teacherFactor`` for the packed state `[M | P]`.
    func compute(state: UnsafePointer<Double>) {
        let rs = studentWidth, r = teacherWidth
        let m = state, p = state + rs * r
        let q = gram.pointer, n = norms.pointer, inverse = inverseNorms.pointer, s = studentFactor.pointer, b = teacherFactor.pointer
        q.update(from: p, count: rs * rs)
        BLAS.syrkUpper(transpose: false, n: rs, k: r, alpha: 1, a: m, lda: r, beta: 1, c: q, ldc: rs)
        BLAS.mirrorUpperToLower(q, n: rs, ldc: rs)
        for i in 0..<rs {
            n[i] = Swift.max(q[i * rs + i], 0).squareRoot()
            inverse[i] = 1 / Swift.max(n[i], Self.normFloor)
        }
        // The diagonal of S: A_ii = 2 q_i κ′(1) plus the pair (i, i) of the radial sum, 2 q_i (2κ − κ′)(1);
        // the pairs i ≠ i' and the teacher terms are added below.
        let (slopeAtOne, radialAtOne) = kernel.slopeAndRadialFactor(1)
        for i in 0..<rs { s[i * rs + i] = 2 * Swift.max(q[i * rs + i], 0) * (slopeAtOne + radialAtOne) }
        // Off the diagonal, A on both sides of the upper triangle; the radial terms of the pair go
        // into both rows' diagonal entries.
        for i in 0..<rs {
            let qi = Swift.max(q[i * rs + i], 0)
            var radialSum = 0.0
            for k in (i + 1)..<Swift.max(rs, i + 1) {
                let (slope, radial) = kernel.slopeAndRadialFactor(q[i * rs + k] * inverse[i] * inverse[k])
                let a = 2 * n[i] * n[k] * slope
                s[i * rs + k] = a
                s[k * rs + i] = a
                radialSum += Swift.max(q[k * rs + k], 0) * radial
                s[k * rs + k] += 2 * qi * radial
            }
            s[i * rs + i] += 2 * radialSum
        }
        lambda.withUnsafeBufferPointer { l in
            for i in 0..<rs {
                let row = i * r
                var radialSum = 0.0
                for j in 0..<r {
                    let (slope, radial) = kernel.slopeAndRadialFactor(m[row + j] * inverse[i])
                    b[row + j] = -2 * l[j] * n[i] * slope
                    radialSum += l[j] * radial
                }
                s[i * rs + i] -= 2 * radialSum
            }
        }
    }
}
