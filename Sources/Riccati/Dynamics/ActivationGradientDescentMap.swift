import LinearAlgebra

/// One step of ``GeneralActivationGradientDescent`` on the packed state `[M | P]`: the population
/// gradient step `W ← W − (η/2)(S W + B Θ)` of ``ActivationGradientFactors``, projected on the
/// teacher directions and on their orthogonal complement:
///
///     M' = M − (η/2)(S M + B),     P' = (I − (η/2) S) P (I − (η/2) S).
///
/// The congruence keeps `P'` positive semidefinite exactly; `P'` is made exactly symmetric by
/// keeping the upper triangle of the product and mirroring it.
///
/// The work is split by the student's rows, `[0, ⌈r_s/2⌉)` and the rest, as in the flow's field: rows
/// of `Q`; then rows of `S`, `B`, `M'`, `A = I − (η/2)S` and `AP`; then rows of `(AP)A`. With a
/// concurrent ``TwoLaneExecutor`` the parts run on two threads, with the same bits either way.
final class ActivationGradientDescentMap: StepMap {
    let studentWidth: Int
    let teacherWidth: Int
    let dimension: Int
    let learningRate: Double
    let executor: TwoLaneExecutor
    private let factors: ActivationGradientFactors
    private let halfProduct: ScratchBuffer   // (I − (η/2) S) P

    init(spectrum: TeacherSpectrum, studentWidth rs: Int, activation: Activation, learningRate: Double,
         executor: TwoLaneExecutor = TwoLaneExecutor(concurrent: false)) {
        studentWidth = rs
        teacherWidth = spectrum.count
        dimension = rs * spectrum.count + rs * rs
        self.learningRate = learningRate
        self.executor = executor
        factors = ActivationGradientFactors(spectrum: spectrum, studentWidth: rs, activation: activation)
        halfProduct = ScratchBuffer(count: rs * rs)
    }

    func apply(state: UnsafePointer<Double>, next: UnsafeMutablePointer<Double>) {
        let rs = studentWidth, r = teacherWidth, halfStep = learningRate / 2
        let p = state + rs * r
        let nextM = next, nextP = next + rs * r
        let s = factors.studentFactor.pointer, b = factors.teacherFactor.pointer, ap = halfProduct.pointer
        executor.run { part in self.factors.computeGram(state: state, rows: self.factors.rows(of: part)) }
        executor.run { part in
            let rows = self.factors.rows(of: part)
            guard !rows.isEmpty else { return }
            self.factors.computeFactors(state: state, rows: rows)
            let first = rows.lowerBound
            // M' = M − (η/2)(S M + B) on these rows.
            for index in (first * r)..<(rows.upperBound * r) { nextM[index] = state[index] - halfStep * b[index] }
            BLAS.gemm(transposeA: false, transposeB: false, m: rows.count, n: r, k: rs, alpha: -halfStep, a: s + first * rs, lda: rs,
                      b: state, ldb: r, beta: 1, c: nextM + first * r, ldc: r)
            // These rows of A = I − (η/2) S, in place of S, and of A P.
            for index in (first * rs)..<(rows.upperBound * rs) { s[index] *= -halfStep }
            for i in rows { s[i * rs + i] += 1 }
            BLAS.gemm(transposeA: false, transposeB: false, m: rows.count, n: rs, k: rs, alpha: 1, a: s + first * rs, lda: rs,
                      b: p, ldb: rs, beta: 0, c: ap + first * rs, ldc: rs)
        }
        // P' = (A P) A by rows (A is symmetric and complete now).
        executor.run { part in
            let rows = self.factors.rows(of: part)
            guard !rows.isEmpty else { return }
            BLAS.gemm(transposeA: false, transposeB: false, m: rows.count, n: rs, k: rs, alpha: 1, a: ap + rows.lowerBound * rs, lda: rs,
                      b: s, ldb: rs, beta: 0, c: nextP + rows.lowerBound * rs, ldc: rs)
        }
        BLAS.mirrorUpperToLower(nextP, n: rs, ldc: rs)
    }
}
