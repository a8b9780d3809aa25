import LinearAlgebra

/// The overlap equations of ``GeneralActivationFlow`` on the packed state `[M | P]`:
///
///     dM/dt = −½ (S M + B),     dP/dt = −½ (S P + P S),
///
/// with the gradient factors `S` (symmetric, `r_s×r_s`) and `B` (`r_s×r`) of
/// ``ActivationGradientFactors``. One evaluation is a SYRK (`Q = MMᵀ + P`), one kernel pass over
/// `r_s(r_s−1)/2 + r_s·r` entries, and two GEMMs (`SM`, `SP`); `PS = (SP)ᵀ`. Nothing depends on `d`,
/// and the workspace is allocated once.
final class ActivationVectorField: ODESystem {
    let studentWidth: Int
    let teacherWidth: Int
    let dimension: Int
    private let factors: ActivationGradientFactors
    private let orthogonalProduct: ScratchBuffer   // S P

    init(spectrum: TeacherSpectrum, studentWidth rs: Int, activation: Activation) {
        studentWidth = rs
        teacherWidth = spectrum.count
        dimension = rs * spectrum.count + rs * rs
        factors = ActivationGradientFactors(spectrum: spectrum, studentWidth: rs, activation: activation)
        orthogonalProduct = ScratchBuffer(count: rs * rs)
    }

    func evaluate(time: Double, state: UnsafePointer<Double>, derivative: UnsafeMutablePointer<Double>) {
        let rs = studentWidth, r = teacherWidth
        let p = state + rs * r
        let dm = derivative, dp = derivative + rs * r
        factors.compute(state: state)
        let s = factors.studentFactor.pointer, b = factors.teacherFactor.pointer, sp = orthogonalProduct.pointer
        // dM = −½ (S M + B).
        dm.update(from: b, count: rs * r)
        BLAS.gemm(transposeA: false, transposeB: false, m: rs, n: r, k: rs, alpha: -0.5, a: s, lda: rs,
                  b: state, ldb: r, beta: -0.5, c: dm, ldc: r)
        // dP = −½ (S P + (S P)ᵀ), exactly symmetric.
        BLAS.gemm(transposeA: false, transposeB: false, m: rs, n: rs, k: rs, alpha: 1, a: s, lda: rs,
                  b: p, ldb: rs, beta: 0, c: sp, ldc: rs)
        for i in 0..<rs {
            for j in i..<rs {
                let value = -0.5 * (sp[i * rs + j] + sp[j * rs + i])
                dp[i * rs + j] = value
                dp[j * rs + i] = value
            }
        }
    }
}
