import LinearAlgebra

/// One step of ``QuadraticPopulationGradientDescent`` on the packed state `[M | P]`:
/// `M' = M + 4η (MΛ − KM)`, `P' = A P A` with `A = I − 4ηK`, `K = MMᵀ + P`.
///
/// A SYRK (`MMᵀ`) and three GEMMs (`KM`, `AP`, `(AP)A`), in preallocated buffers. `P'` is made
/// exactly symmetric by keeping the upper triangle of `(AP)A` and mirroring it.
final class QuadraticGradientDescentMap: StepMap {
    let studentWidth: Int
    let teacherWidth: Int
    let dimension: Int
    let learningRate: Double
    private let lambda: [Double]
    private let studentGram: ScratchBuffer        // K, then A = I − 4ηK
    private let overlapProduct: ScratchBuffer     // K M
    private let halfProduct: ScratchBuffer        // A P

    init(spectrum: TeacherSpectrum, studentWidth rs: Int, learningRate: Double) {
        studentWidth = rs
        teacherWidth = spectrum.count
        dimension = rs * spectrum.count + rs * rs
        self.learningRate = learningRate
        lambda = spectrum.values
        studentGram = ScratchBuffer(count: rs * rs)
        overlapProduct = ScratchBuffer(count: rs * spectrum.count)
        halfProduct = ScratchBuffer(count: rs * rs)
    }

    func apply(state: UnsafePointer<Double>, next: UnsafeMutablePointer<Double>) {
        let rs = studentWidth, r = teacherWidth, eta = learningRate
        let m = state, p = state + rs * r
        let nextM = next, nextP = next + rs * r
        let k = studentGram.pointer, km = overlapProduct.pointer, ap = halfProduct.pointer
        // K = P + M Mᵀ.
        k.update(from: p, count: rs * rs)
        BLAS.syrkUpper(transpose: false, n: rs, k: r, alpha: 1, a: m, lda: r, beta: 1, c: k, ldc: rs)
        BLAS.mirrorUpperToLower(k, n: rs, ldc: rs)
        // M' = M + 4η (M Λ − K M).
        BLAS.gemm(transposeA: false, transposeB: false, m: rs, n: r, k: rs, alpha: 1, a: k, lda: rs,
                  b: m, ldb: r, beta: 0, c: km, ldc: r)
        lambda.withUnsafeBufferPointer { l in
            for i in 0..<rs {
                let row = i * r
                for j in 0..<r { nextM[row + j] = m[row + j] + 4 * eta * (m[row + j] * l[j] - km[row + j]) }
            }
        }
        // A = I − 4ηK (in place of K), then P' = (A P) A.
        for index in 0..<(rs * rs) { k[index] *= -4 * eta }
        for i in 0..<rs { k[i * rs + i] += 1 }
        BLAS.gemm(transposeA: false, transposeB: false, m: rs, n: rs, k: rs, alpha: 1, a: k, lda: rs,
                  b: p, ldb: rs, beta: 0, c: ap, ldc: rs)
        BLAS.gemm(transposeA: false, transposeB: false, m: rs, n: rs, k: rs, alpha: 1, a: ap, lda: rs,
                  b: k, ldb: rs, beta: 0, c: nextP, ldc: rs)
        BLAS.mirrorUpperToLower(nextP, n: rs, ldc: rs)
    }
}
