import LinearAlgebra

/// The population risk of the quadratic model, `R = 2‖WᵀW − ΘᵀΛΘ‖_F²`, from the overlaps.
///
/// With `G = MᵀM` it is evaluated as `2 (‖G − Λ‖_F² + 2 tr(MᵀPM) + ‖P‖_F²)`. Expanding the
/// square gives the equivalent `2 (‖K‖_F² − 2 tr(MΛMᵀ) + ‖λ‖²)`, but the form used here is a sum
/// of non-negative terms, so it keeps full relative accuracy as the risk goes to zero (no
/// cancellation).
///
/// `G` is never held whole: its upper triangle is formed in column blocks of `b` columns
/// (`b = r` up to `r = 1024`, then `⌊2²⁰/r⌋`), the diagonal block by `syrk` and the rows above it by
/// `gemm`, and each block's squares are summed as it is formed. The workspace is `(r + b)·b`
/// doubles (at most `r²` for `r ≤ 1024`, about 8 MiB beyond) plus `P M` (`r_s×r`), allocated once;
/// the arithmetic is the same `r²·r_s` as forming `G` whole. With a single block (`r ≤ 1024`) the
/// sums are taken in the order of the whole-`G` formula, bit for bit.
final class QuadraticRiskEvaluator {
    let spectrum: TeacherSpectrum
    let studentWidth: Int
    let teacherWidth: Int
    /// Columns of `G` per block.
    let blockWidth: Int
    private let diagonalBlock: ScratchBuffer     // G[J, J], b×b (upper triangle)
    private let aboveBlock: ScratchBuffer        // G[0..<c0, J], at most (r − b)×b
    private let gramProduct: ScratchBuffer       // P M, r_s×r

    /// Entries of `G` held at once beyond `r = 1024`.
    static let blockEntries = 1 << 20

    /// Columns per block for teacher width `r`.
    static func blockWidth(teacherWidth r: Int) -> Int {
        r <= 1024 ? Swift.max(r, 1) : Swift.max(1, Swift.min(r, blockEntries / r))
    }

    /// The doubles of workspace an evaluator for widths `r_s`, `r` holds.
    static func workspaceDoubles(studentWidth rs: Int, teacherWidth r: Int) -> Double {
        let b = Double(blockWidth(teacherWidth: r))
        return b * b + Double(Swift.max(r - Int(b), 0)) * b + Double(rs) * Double(r)
    }

    init(spectrum: TeacherSpectrum, studentWidth rs: Int) {
        self.spectrum = spectrum
        studentWidth = rs
        let r = spectrum.count
        teacherWidth = r
        let b = Self.blockWidth(teacherWidth: r)
        blockWidth = b
        diagonalBlock = ScratchBuffer(count: b * b)
        aboveBlock = ScratchBuffer(count: Swift.max(r - b, 0) * b)
        gramProduct = ScratchBuffer(count: rs * r)
    }

    /// `‖G − Λ‖_F²` of `M` (`r_s×r`, row-major), block by block.
    func signalError(overlap m: UnsafePointer<Double>) -> Double {
        let rs = studentWidth, r = teacherWidth, b = blockWidth
        let lambda = spectrum.values
        let g = diagonalBlock.pointer, above = aboveBlock.pointer
        var signalError = 0.0
        var start = 0
        while start < r {
            let width = Swift.min(b, r - start)
            BLAS.syrkUpper(transpose: true, n: width, k: rs, alpha: 1, a: m + start, lda: r, beta: 0, c: g, ldc: width)
            for j in 0..<width {
                let diagonal = g[j * width + j] - lambda[start + j]
                signalError += diagonal * diagonal
                var offDiagonal = 0.0
                for k in (j + 1)..<Swift.max(j + 1, width) { offDiagonal += g[j * width + k] * g[j * width + k] }
                signalError += 2 * offDiagonal
            }
            if start > 0 {
                // G[0..<start, start..<start+width] = M[:, 0..<start]ᵀ M[:, start..<start+width].
                BLAS.gemm(transposeA: true, transposeB: false, m: start, n: width, k: rs, alpha: 1, a: m, lda: r,
                          b: m + start, ldb: r, beta: 0, c: above, ldc: width)
                var offDiagonal = 0.0
                for index in 0..<(start * width) { offDiagonal += above[index] * above[index] }
                signalError += 2 * offDiagonal
            }
            start += width
        }
        return signalError
    }

    /// The risk of the packed state `[M | P]`.
    func risk(packed y: UnsafePointer<Double>) -> Double {
        let rs = studentWidth, r = teacherWidth
        let m = y, p = y + rs * r
        let pm = gramProduct.pointer
        let signalError = signalError(overlap: m)
        BLAS.gemm(transposeA: false, transposeB: false, m: rs, n: r, k: rs, alpha: 1, a: p, lda: rs,
                  b: m, ldb: r, beta: 0, c: pm, ldc: r)
        var crossTerm = 0.0
        for index in 0..<(rs * r) { crossTerm += pm[index] * m[index] }
        var orthogonalTerm = 0.0
        for index in 0..<(rs * rs) { orthogonalTerm += p[index] * p[index] }
        return 2 * (signalError + 2 * crossTerm + orthogonalTerm)
    }
}
