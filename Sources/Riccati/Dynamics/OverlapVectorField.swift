import LinearAlgebra

/// The exact overlap ODE of the population gradient flow (<doc:OverlapODE>):
///
///     K     = M Mᵀ + P
///     dM/dt = 4 (M Λ − K M)
///     dP/dt = −4 (K P + P K)
///
/// on the packed state `y = [M | P]` (row-major `M`, `r_s×r`, then row-major `P`, `r_s×r_s`).
/// One evaluation is a SYRK (`MMᵀ`, `r_s² r`), a GEMM (`KM`, `2 r_s² r`) and a GEMM (`KP`,
/// `2 r_s³`); `PK = (KP)ᵀ` because both are symmetric. Nothing depends on `d`, and the
/// workspace is allocated once.
///
/// The work is done in two fixed parts: the columns of `M` are split in two halves `M = [M₁ M₂]`,
/// so that `K = (P + M₁M₁ᵀ) + M₂M₂ᵀ`, `KM = [KM₁ KM₂]`, and the rows of `KP` in two halves. An
/// integrator with a concurrent `TwoLaneExecutor` runs the parts on two threads (OpenBLAS then
/// single-threaded); the sums are the same, bit for bit, either way.
public final class OverlapVectorField: ODESystem {
    public let studentWidth: Int
    public let teacherWidth: Int
    public let dimension: Int
    public let spectrum: TeacherSpectrum
    let executor: TwoLaneExecutor
    private let lambda: [Double]
    private let studentGram: ScratchBuffer       // K
    private let partialGrams: [ScratchBuffer]    // M₁M₁ᵀ, M₂M₂ᵀ (upper triangles)
    private let overlapProduct: ScratchBuffer    // K M (r_s × r)
    private let orthogonalProduct: ScratchBuffer // K P (r_s × r_s)

    /// Rows per block of the Gram products `M₁M₁ᵀ`, `M₂M₂ᵀ`.
    static let gramBlockSize = 16

    /// Evaluates both parts on the calling thread.
    public convenience init(spectrum: TeacherSpectrum, studentWidth rs: Int) {
        self.init(spectrum: spectrum, studentWidth: rs, executor: TwoLaneExecutor(concurrent: false))
    }

    init(spectrum: TeacherSpectrum, studentWidth rs: Int, executor: TwoLaneExecutor) {
        self.spectrum = spectrum
        studentWidth = rs
        teacherWidth = spectrum.count
        self.executor = executor
        lambda = spectrum.values
        dimension = rs * spectrum.count + rs * rs
        studentGram = ScratchBuffer(count: rs * rs)
        partialGrams = [ScratchBuffer(count: rs * rs), ScratchBuffer(count: rs * rs)]
        overlapProduct = ScratchBuffer(count: rs * spectrum.count)
        orthogonalProduct = ScratchBuffer(count: rs * rs)
    }

    /// Part 0 computes columns `[0, ⌈r/2⌉)` of `dM` and rows `[0, ⌈r_s/2⌉)` of `dP`'s upper
    /// triangle's source `KP`; the integrators' vector loops use the same split of the state.
    public var laneParts: [[Range<Int>]] {
        let rs = studentWidth, r = teacherWidth
        return (0..<2).map { part in
            let columns = self.columns(of: part), rows = self.rows(of: part)
            var ranges = columns.isEmpty ? [] : (0..<rs).map { i in (i * r + columns.lowerBound)..<(i * r + columns.upperBound) }
            if !rows.isEmpty { ranges.append((rs * r + rows.lowerBound * rs)..<(rs * r + rows.upperBound * rs)) }
            return ranges
        }
    }

    /// Columns `[0, ⌈r/2⌉)` of `M` for part 0, the rest for part 1.
    private func columns(of part: Int) -> Range<Int> {
        let half = (teacherWidth + 1) / 2
        return part == 0 ? 0..<half : half..<teacherWidth
    }

    /// Rows `[0, ⌈r_s/2⌉)` of `K P` for part 0, the rest for part 1.
    private func rows(of part: Int) -> Range<Int> {
        let half = (studentWidth + 1) / 2
        return part == 0 ? 0..<half : half..<studentWidth
    }

    public func evaluate(time: Double, state: UnsafePointer<Double>, derivative: UnsafeMutablePointer<Double>) {
        let rs = studentWidth, r = teacherWidth
        let m = state, p = state + rs * r
        let dm = derivative, dp = derivative + rs * r
        let k = studentGram.pointer, km = overlapProduct.pointer, kp = orthogonalProduct.pointer
        let grams = (partialGrams[0].pointer, partialGrams[1].pointer)
        // M₁M₁ᵀ and M₂M₂ᵀ (upper triangles).
        executor.run { part in
            let columns = self.columns(of: part)
            let gram = part == 0 ? grams.0 : grams.1
            if columns.isEmpty {
                gram.update(repeating: 0, count: rs * rs)
            } else {
                // The upper triangle by blocks of 16 rows (faster than DSYRK here; BLAS.gramUpperByBlocks).
                BLAS.gramUpperByBlocks(n: rs, k: columns.count, a: m + columns.lowerBound, lda: r, c: gram, ldc: rs,
                                       blockSize: OverlapVectorField.gramBlockSize)
            }
        }
        // K = (P + M₁M₁ᵀ) + M₂M₂ᵀ, upper triangle, then mirrored.
        for i in 0..<rs {
            for j in i..<rs { k[i * rs + j] = (p[i * rs + j] + grams.0[i * rs + j]) + grams.1[i * rs + j] }
        }
        BLAS.mirrorUpperToLower(k, n: rs, ldc: rs)
        executor.run { part in
            // dM = 4 (M Λ − K M) on this part's columns.
            let columns = self.columns(of: part)
            if !columns.isEmpty {
                BLAS.gemm(transposeA: false, transposeB: false, m: rs, n: columns.count, k: rs, alpha: 1, a: k, lda: rs,
                          b: m + columns.lowerBound, ldb: r, beta: 0, c: km + columns.lowerBound, ldc: r)
                self.lambda.withUnsafeBufferPointer { l in
                    for i in 0..<rs {
                        let row = i * r
                        for j in columns { dm[row + j] = 4 * (m[row + j] * l[j] - km[row + j]) }
                    }
                }
            }
            // This part's rows of K P.
            let rows = self.rows(of: part)
            if !rows.isEmpty {
                BLAS.gemm(transposeA: false, transposeB: false, m: rows.count, n: rs, k: rs, alpha: 1, a: k + rows.lowerBound * rs,
                          lda: rs, b: p, ldb: rs, beta: 0, c: kp + rows.lowerBound * rs, ldc: rs)
            }
        }
        // dP = −4 (K P + (K P)ᵀ).
        for i in 0..<rs {
            for j in i..<rs {
                let value = -4 * (kp[i * rs + j] + kp[j * rs + i])
                dp[i * rs + j] = value
                dp[j * rs + i] = value
            }
        }
    }
}
