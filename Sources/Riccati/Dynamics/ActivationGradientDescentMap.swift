import LinearAlgebra

/// One step of ``GeneralActivationGradientDescent`` on the packed state `[M | P]`: the population
/// gradient step `W ← W − (η/2)(S W + B Θ)` of ``ActivationGradientFactors``, projected on the
/// teacher directions and on their orthogonal complement:
///
///     M' = M − (η/2)(S M + B),     P' = (I − (η/2) S) P (I − (η/2) S).
///
/// The congruence keeps `P'` positive semidefinite exactly; `P'` is made exactly symmetric by
/// keeping the upper triangle of the product and mirroring it.
final class ActivationGradientDescentMap: StepMap {
    let studentWidth: Int
    let teacherWidth: Int
    let dimension: Int
    let learningRate: Double
    private let factors: ActivationGradientFactors
    private let halfProduct: ScratchBuffer   // (I − (η/2) S) P

    init(spectrum: TeacherSpectrum, studentWidth rs: Int, activation: Activation, learningRate: Double) {
        studentWidth = rs
        teacherWidth = spectrum.count
        dimension = rs * spectrum.count + rs * rs
        self.learningRate = learningRate
        factors = ActivationGradientFactors(spectrum: spectrum, studentWidth: rs, activation: activation)
        halfProduct = ScratchBuffer(count: rs * rs)
    }

    func apply(state: UnsafePointer<Double>, next: UnsafeMutablePointer<Double>) {
        let rs = studentWidth, r = teacherWidth, halfStep = learningRate / 2
        let p = state + rs * r
        let nextM = next, nextP = next + rs * r
        factors.compute(state: state)
        let s = factors.studentFactor.pointer, b = factors.teacherFactor.pointer, ap = halfProduct.pointer
        // M' = M − (η/2)(S M + B).
        for index in 0..<(rs * r) { nextM[index] = state[index] - halfStep * b[index] }
        BLAS.gemm(transposeA: false, transposeB: false, m: rs, n: r, k: rs, alpha: -halfStep, a: s, lda: rs,
                  b: state, ldb: r, beta: 1, c: nextM, ldc: r)
        // A = I − (η/2) S in place of S, then P' = (A P) A.
        for index in 0..<(rs * rs) { s[index] *= -halfStep }
        for i in 0..<rs { s[i * rs + i] += 1 }
        BLAS.gemm(transposeA: false, transposeB: false, m: rs, n: rs, k: rs, alpha: 1, a: s, lda: rs,
                  b: p, ldb: rs, beta: 0, c: ap, ldc: rs)
        BLAS.gemm(transposeA: false, transposeB: false, m: rs, n: rs, k: rs, alpha: 1, a: ap, lda: rs,
                  b: s, ldb: rs, beta: 0, c: nextP, ldc: rs)
        BLAS.mirrorUpperToLower(nextP, n: rs, ldc: rs)
    }
}
