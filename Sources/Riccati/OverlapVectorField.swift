import LinearAlgebra

/// The exact overlap ODE of the population gradient flow (MODEL.md):
///
///     K     = M Mᵀ + P
///     dM/dt = 4 (M Λ − K M)
///     dP/dt = −4 (K P + P K)
///
/// on the packed state `y = [M | P]` (row-major `M`, `r_s×r`, then row-major `P`, `r_s×r_s`).
/// One evaluation is a SYRK (`MMᵀ`, `r_s² r`), a GEMM (`KM`, `2 r_s² r`) and a GEMM (`KP`,
/// `2 r_s³`); `PK = (KP)ᵀ` because both are symmetric. Nothing depends on `d`, and the
/// workspace is allocated once.
public final class OverlapVectorField: ODESystem {
    public let studentWidth: Int
    public let teacherWidth: Int
    public let dimension: Int
    public let spectrum: TeacherSpectrum
    private let lambda: [Double]
    private let studentGram: ScratchBuffer       // K
    private let product: ScratchBuffer           // K M, then K P

    public init(spectrum: TeacherSpectrum, studentWidth rs: Int) {
        self.spectrum = spectrum
        studentWidth = rs
        teacherWidth = spectrum.count
        lambda = spectrum.values
        dimension = rs * spectrum.count + rs * rs
        studentGram = ScratchBuffer(count: rs * rs)
        product = ScratchBuffer(count: rs * Swift.max(spectrum.count, rs))
    }

    public func evaluate(time: Double, state: UnsafePointer<Double>, derivative: UnsafeMutablePointer<Double>) {
        let rs = studentWidth, r = teacherWidth
        let m = state, p = state + rs * r
        let dm = derivative, dp = derivative + rs * r
        let k = studentGram.pointer, kx = product.pointer
        // K = P + M Mᵀ (upper triangle by SYRK, then mirrored).
        k.update(from: p, count: rs * rs)
        BLAS.syrkUpper(transpose: false, n: rs, k: r, alpha: 1, a: m, lda: r, beta: 1, c: k, ldc: rs)
        BLAS.mirrorUpperToLower(k, n: rs, ldc: rs)
        // dM = 4 (M Λ − K M).
        BLAS.gemm(transposeA: false, transposeB: false, m: rs, n: r, k: rs, alpha: 1, a: k, lda: rs,
                  b: m, ldb: r, beta: 0, c: kx, ldc: r)
        lambda.withUnsafeBufferPointer { l in
            for i in 0..<rs {
                let row = i * r
                for j in 0..<r { dm[row + j] = 4 * (m[row + j] * l[j] - kx[row + j]) }
            }
        }
        // dP = −4 (K P + (K P)ᵀ).
        BLAS.gemm(transposeA: false, transposeB: false, m: rs, n: rs, k: rs, alpha: 1, a: k, lda: rs,
                  b: p, ldb: rs, beta: 0, c: kx, ldc: rs)
        for i in 0..<rs {
            for j in i..<rs {
                let value = -4 * (kx[i * rs + j] + kx[j * rs + i])
                dp[i * rs + j] = value
                dp[j * rs + i] = value
            }
        }
    }
}
