import LinearAlgebra

/// The overlap equations of ``GeneralActivationFlow`` on the packed state `[M | P]`:
///
///     dM/dt = −½ (S M + B),     dP/dt = −½ (S P + P S),
///
/// with the gradient factors `S` (symmetric, `r_s×r_s`) and `B` (`r_s×r`) of
/// ``ActivationGradientFactors``. One evaluation is a GEMM for `Q = MMᵀ + P`, one kernel pass over
/// `r_s² + r_s·r` entries, and two GEMMs (`SM`, `SP`); `PS = (SP)ᵀ`. Nothing depends on `d`, and the
/// workspace is allocated once.
///
/// The work is split by the rows of the student, `[0, ⌈r_s/2⌉)` and the rest: each part computes its
/// rows of `Q`, then (after both are done) its rows of `S`, `B`, `dM` and `SP`. An integrator with a
/// concurrent ``TwoLaneExecutor`` runs the parts on two threads; the results are the same, bit for
/// bit, either way.
final class ActivationVectorField: ODESystem {
    let studentWidth: Int
    let teacherWidth: Int
    let dimension: Int
    let executor: TwoLaneExecutor
    private let factors: ActivationGradientFactors
    private let orthogonalProduct: ScratchBuffer   // S P

    init(spectrum: TeacherSpectrum, studentWidth rs: Int, activation: Activation, executor: TwoLaneExecutor = TwoLaneExecutor(concurrent: false)) {
        studentWidth = rs
        teacherWidth = spectrum.count
        dimension = rs * spectrum.count + rs * rs
        self.executor = executor
        factors = ActivationGradientFactors(spectrum: spectrum, studentWidth: rs, activation: activation)
        orthogonalProduct = ScratchBuffer(count: rs * rs)
    }

    /// Part `k` computes rows `rows(of: k)` of `dM`; the rows of `dP` are made symmetric after both parts.
    var laneParts: [[Range<Int>]] {
        let rs = studentWidth, r = teacherWidth
        return (0..<2).map { part in
            let rows = self.factors.rows(of: part)
            return rows.isEmpty ? [] : [(rows.lowerBound * r)..<(rows.upperBound * r),
                                        (rs * r + rows.lowerBound * rs)..<(rs * r + rows.upperBound * rs)]
        }
    }

    func evaluate(time: Double, state: UnsafePointer<Double>, derivative: UnsafeMutablePointer<Double>) {
        let rs = studentWidth, r = teacherWidth
        let p = state + rs * r
        let dm = derivative, dp = derivative + rs * r
        let s = factors.studentFactor.pointer, b = factors.teacherFactor.pointer, sp = orthogonalProduct.pointer
        executor.run { part in self.factors.computeGram(state: state, rows: self.factors.rows(of: part)) }
        executor.run { part in
            let rows = self.factors.rows(of: part)
            guard !rows.isEmpty else { return }
            self.factors.computeFactors(state: state, rows: rows)
            // dM = −½ (S M + B) and S P, on this part's rows.
            let first = rows.lowerBound
            (dm + first * r).update(from: b + first * r, count: rows.count * r)
            BLAS.gemm(transposeA: false, transposeB: false, m: rows.count, n: r, k: rs, alpha: -0.5, a: s + first * rs, lda: rs,
                      b: state, ldb: r, beta: -0.5, c: dm + first * r, ldc: r)
            BLAS.gemm(transposeA: false, transposeB: false, m: rows.count, n: rs, k: rs, alpha: 1, a: s + first * rs, lda: rs,
                      b: p, ldb: rs, beta: 0, c: sp + first * rs, ldc: rs)
        }
        // dP = −½ (S P + (S P)ᵀ), exactly symmetric.
        for i in 0..<rs {
            for j in i..<rs {
                let value = -0.5 * (sp[i * rs + j] + sp[j * rs + i])
                dp[i * rs + j] = value
                dp[j * rs + i] = value
            }
        }
    }
}
