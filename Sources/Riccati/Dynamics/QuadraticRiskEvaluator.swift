import LinearAlgebra

/// The population risk of the quadratic model, `R = 2‖WᵀW − ΘᵀΛΘ‖_F²`, from the overlaps.
///
/// With `G = MᵀM` it is evaluated as `2 (‖G − Λ‖_F² + 2 tr(MᵀPM) + ‖P‖_F²)`. Expanding the
/// square gives the equivalent `2 (‖K‖_F² − 2 tr(MΛMᵀ) + ‖λ‖²)`, but the form used here is a sum
/// of non-negative terms, so it keeps full relative accuracy as the risk goes to zero (no
/// cancellation). Workspace (`G`, `PM`) is allocated once.
final class QuadraticRiskEvaluator {
    let spectrum: TeacherSpectrum
    let studentWidth: Int
    let teacherWidth: Int
    private let signalGram: ScratchBuffer        // G, r×r (upper triangle)
    private let gramProduct: ScratchBuffer       // P M, r_s×r

    init(spectrum: TeacherSpectrum, studentWidth rs: Int) {
        self.spectrum = spectrum
        studentWidth = rs
        teacherWidth = spectrum.count
        signalGram = ScratchBuffer(count: spectrum.count * spectrum.count)
        gramProduct = ScratchBuffer(count: rs * spectrum.count)
    }

    /// The risk of the packed state `[M | P]`.
    func risk(packed y: UnsafePointer<Double>) -> Double {
        let rs = studentWidth, r = teacherWidth
        let m = y, p = y + rs * r
        let g = signalGram.pointer, pm = gramProduct.pointer
        let lambda = spectrum.values
        BLAS.syrkUpper(transpose: true, n: r, k: rs, alpha: 1, a: m, lda: r, beta: 0, c: g, ldc: r)
        var signalError = 0.0
        for j in 0..<r {
            let diagonal = g[j * r + j] - lambda[j]
            signalError += diagonal * diagonal
            var offDiagonal = 0.0
            for k in (j + 1)..<Swift.max(j + 1, r) { offDiagonal += g[j * r + k] * g[j * r + k] }
            signalError += 2 * offDiagonal
        }
        BLAS.gemm(transposeA: false, transposeB: false, m: rs, n: r, k: rs, alpha: 1, a: p, lda: rs,
                  b: m, ldb: r, beta: 0, c: pm, ldc: r)
        var crossTerm = 0.0
        for index in 0..<(rs * r) { crossTerm += pm[index] * m[index] }
        var orthogonalTerm = 0.0
        for index in 0..<(rs * rs) { orthogonalTerm += p[index] * p[index] }
        return 2 * (signalError + 2 * crossTerm + orthogonalTerm)
    }
}
