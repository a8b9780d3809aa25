import CLapack
import Foundation

/// Thin wrappers over CBLAS. All matrices are row-major (see ``Matrix``).
///
/// The pointer variants are for hot loops that keep their operands in preallocated buffers;
/// they check nothing beyond what CBLAS checks. The ``Matrix`` variants check shapes and throw.
public enum BLAS {
    /// The number of threads OpenBLAS uses. Set it to 1 when your own code runs in parallel.
    public static var threadCount: Int {
        get { Int(openblas_get_num_threads()) }
    }

    /// Sets the number of OpenBLAS threads.
    public static func setThreadCount(_ count: Int) {
        openblas_set_num_threads(Int32(Swift.max(1, count)))
    }

    /// OpenBLAS's thread count is one setting for the whole process. A run that depends on it
    /// (the SGD simulator, a sweep, a solve that splits its own work) claims it for its duration:
    /// `claimThreadCount(n)` waits until no other thread holds a claim, sets `n` and returns the
    /// previous count; `releaseThreadCount(previous)` restores it and lets the next claim in.
    /// Claims nest on one thread (recursive lock). Call both on the same thread.
    public static func claimThreadCount(_ count: Int) -> Int {
        threadCountClaim.lock()
        let previous = threadCount
        setThreadCount(count)
        return previous
    }

    /// Ends a ``claimThreadCount(_:)``.
    public static func releaseThreadCount(_ previous: Int) {
        setThreadCount(previous)
        threadCountClaim.unlock()
    }

    private static let threadCountClaim = NSRecursiveLock()

    /// Runs `body` with OpenBLAS on one thread, then restores the thread count. LAPACK routines
    /// whose blocking depends on the thread count (`dpotrf`, `dtrtri`, `dsyevr` in OpenBLAS)
    /// give results that differ in the last bits between thread counts; run single-threaded
    /// they are bit-identical whatever the caller's setting.
    @discardableResult
    /// When OpenBLAS is already single-threaded (for instance inside a run that claimed one
    /// thread, whose worker threads call this) nothing is switched or claimed; otherwise the
    /// switch is a ``claimThreadCount(_:)``, so concurrent callers cannot undo each other's.
    public static func singleThreaded<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        guard threadCount > 1 else { return try body() }
        let previous = claimThreadCount(1)
        defer { releaseThreadCount(previous) }
        return try body()
    }

    /// OpenBLAS's build configuration string (version, core, threading).
    public static var configuration: String {
        guard let raw = openblas_get_config() else { return "OpenBLAS (unknown configuration)" }
        return String(cString: raw)
    }

    /// The CPU kernel OpenBLAS selected.
    public static var coreName: String {
        guard let raw = openblas_get_corename() else { return "unknown" }
        return String(cString: raw)
    }

    /// `C ← α op(A) op(B) + β C` with `op(A)` of size `m×k`, `op(B)` of size `k×n`.
    @inlinable
    public static func gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Double, a: UnsafePointer<Double>, lda: Int,
        b: UnsafePointer<Double>, ldb: Int,
        beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
    ) {
        cblas_dgemm(
            CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// Single-precision `C ← α op(A) op(B) + β C`.
    @inlinable
    public static func gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Float, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        cblas_sgemm(
            CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// Symmetric rank-k update of the **upper** triangle of the `n×n` matrix `C`:
    /// `C ← α A Aᵀ + β C` (`A` is `n×k`) or, with `transpose`, `C ← α Aᵀ A + β C` (`A` is `k×n`).
    /// The strictly lower triangle of `C` is not touched.
    @inlinable
    public static func syrkUpper(
        transpose: Bool, n: Int, k: Int, alpha: Double, a: UnsafePointer<Double>, lda: Int,
        beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
    ) {
        cblas_dsyrk(
            CblasRowMajor, CblasUpper, transpose ? CblasTrans : CblasNoTrans,
            Int32(n), Int32(k), alpha, a, Int32(lda), beta, c, Int32(ldc))
    }

    /// The upper triangle of the Gram matrix `C ← A Aᵀ` (`A` is `n×k`, row-major with leading
    /// dimension `lda`), formed by one GEMM per pair of row blocks `I ≤ J` of `blockSize` rows. For
    /// the small, wide products of the overlap dynamics this is faster than DSYRK (at `n = 64`,
    /// `k = 128`: 13–14 µs with blocks of 16, 15–16 µs with 32, 19 µs for DSYRK, 25 µs for the full
    /// GEMM; OpenBLAS 0.3.21, one thread). The strictly lower triangle of `C` is not touched.
    @inlinable
    public static func gramUpperByBlocks(
        n: Int, k: Int, a: UnsafePointer<Double>, lda: Int, c: UnsafeMutablePointer<Double>, ldc: Int, blockSize: Int = 16
    ) {
        for first in stride(from: 0, to: n, by: blockSize) {
            let height = Swift.min(blockSize, n - first)
            for second in stride(from: first, to: n, by: blockSize) {
                let width = Swift.min(blockSize, n - second)
                gemm(transposeA: false, transposeB: true, m: height, n: width, k: k, alpha: 1,
                     a: a + first * lda, lda: lda, b: a + second * lda, ldb: lda, beta: 0, c: c + first * ldc + second, ldc: ldc)
            }
        }
    }

    /// Triangular solve with a row-major lower-triangular `L` (`n_L × n_L`, non-unit diagonal):
    /// `B ← L^{-1} B` (`left`, `B` is `n_L × columns`) or `B ← B L^{-T}` (right side,
    /// `B` is `rows × n_L`). `B` is `rows × columns`, row-major with leading dimension `ldb`.
    @inlinable
    public static func solveLowerTriangular(
        left: Bool, rows: Int, columns: Int, lower l: UnsafePointer<Double>, ldl: Int,
        b: UnsafeMutablePointer<Double>, ldb: Int
    ) {
        cblas_dtrsm(
            CblasRowMajor, left ? CblasLeft : CblasRight, CblasLower, left ? CblasNoTrans : CblasTrans, CblasNonUnit,
            Int32(rows), Int32(columns), 1, l, Int32(ldl), b, Int32(ldb))
    }

    /// Copies the strict upper triangle of the row-major `n×n` matrix at `c` onto its lower triangle.
    @inlinable
    public static func mirrorUpperToLower(_ c: UnsafeMutablePointer<Double>, n: Int, ldc: Int) {
        for i in 1..<Swift.max(1, n) {
            for j in 0..<i { c[i * ldc + j] = c[j * ldc + i] }
        }
    }

    // MARK: Matrix-level wrappers

    /// `C ← α op(A) op(B) + β C`, shapes checked. `C` must already have the result's shape.
    public static func multiply(
        _ a: Matrix, transposeA: Bool = false, _ b: Matrix, transposeB: Bool = false,
        alpha: Double = 1, beta: Double = 0, into c: inout Matrix
    ) throws(LinearAlgebraError) {
        let m = transposeA ? a.columns : a.rows
        let k = transposeA ? a.rows : a.columns
        let kB = transposeB ? b.columns : b.rows
        let n = transposeB ? b.rows : b.columns
        guard k == kB else {
            throw .dimensionMismatch("gemm: op(A) is \(m)×\(k) but op(B) is \(kB)×\(n)")
        }
        guard c.rows == m, c.columns == n else {
            throw .dimensionMismatch("gemm: result must be \(m)×\(n), got \(c.rows)×\(c.columns)")
        }
        if m == 0 || n == 0 { return }
        if k == 0 {
            for index in 0..<c.storage.count { c.storage[index] *= beta }
            return
        }
        a.storage.withUnsafeBufferPointer { pa in
            b.storage.withUnsafeBufferPointer { pb in
                c.storage.withUnsafeMutableBufferPointer { pc in
                    gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                         alpha: alpha, a: pa.baseAddress!, lda: a.columns,
                         b: pb.baseAddress!, ldb: b.columns,
                         beta: beta, c: pc.baseAddress!, ldc: n)
                }
            }
        }
    }

    /// `op(A) op(B)` as a new matrix.
    public static func product(
        _ a: Matrix, transposeA: Bool = false, _ b: Matrix, transposeB: Bool = false
    ) throws(LinearAlgebraError) -> Matrix {
        var c = Matrix(rows: transposeA ? a.columns : a.rows, columns: transposeB ? b.rows : b.columns)
        try multiply(a, transposeA: transposeA, b, transposeB: transposeB, into: &c)
        return c
    }

    /// The Gram matrix `A Aᵀ` (or `Aᵀ A` with `transpose`), via SYRK, both triangles filled.
    public static func gram(_ a: Matrix, transpose: Bool = false) -> Matrix {
        let n = transpose ? a.columns : a.rows
        let k = transpose ? a.rows : a.columns
        var c = Matrix(rows: n, columns: n)
        if n == 0 || k == 0 { return c }
        a.storage.withUnsafeBufferPointer { pa in
            c.storage.withUnsafeMutableBufferPointer { pc in
                syrkUpper(transpose: transpose, n: n, k: k, alpha: 1, a: pa.baseAddress!, lda: a.columns,
                          beta: 0, c: pc.baseAddress!, ldc: n)
                mirrorUpperToLower(pc.baseAddress!, n: n, ldc: n)
            }
        }
        return c
    }
}
