import CLapack
import Dispatch

/// The LQ factorisation `C = L Q` of a row-major `r×n` matrix with `r ≤ n`, without
/// allocation after ``init(rows:columns:formsInParts:)``: `L` is `r×r` lower triangular and `Q` (`r×n`) has
/// orthonormal rows.
///
/// A row-major `r×n` buffer is the column-major `n×r` matrix `Cᵀ`, so this is the Householder
/// QR `Cᵀ = Q̃ R` of LAPACK read back with `L = Rᵀ` and `Q = Q̃ᵀ`. It uses the compact-WY
/// routines `dgeqrt` (one block of width `r`, factored recursively by `dgeqrt3`, so the work is
/// matrix–matrix) and `dgemqrt` (applies `Q̃` to `[I; 0]`). `dgeqrf`'s default crossover
/// leaves panels narrower than 128 columns to the vector routine `dgeqr2`; at `r = 64`,
/// `n = 384` it took 1.6 ms against 0.24 ms for `dgeqrt`.
///
/// Householder QR is backward stable column by column (Higham, *Accuracy and Stability of
/// Numerical Algorithms*, 2nd ed., Thm. 19.4): every row of `C` is perturbed by at most a small
/// multiple of machine epsilon times its own norm. That is why rows of very different sizes
/// (the graded matrices of the exact propagator) factor accurately here, while the Cholesky
/// factor of the Gram `C Cᵀ` squares their condition number.
public final class LQFactorization {
    public let rows: Int
    public let columns: Int
    /// Whether ``factor(_:lowerDiagonal:orthonormal:)`` works in two parts on two threads of its
    /// own: `Q` is formed in two halves of its rows (each applying the same reflectors with
    /// `dgemqrt`), and without `Q` (when `columns ≥ 2 rows`) `L` comes from a two-part tall–skinny
    /// QR. The splits are fixed, so the bits do not depend on any thread count.
    public let formsInParts: Bool
    fileprivate var blockReflector: [Double]   // T of the compact WY form, r×r
    fileprivate let secondBlockReflector: UnsafeMutablePointer<Double>   // the second block's T (two-part `L` only)
    fileprivate let workspace: UnsafeMutablePointer<Double>
    fileprivate let secondWorkspace: UnsafeMutablePointer<Double>

    /// `formsInParts`: work in two parts concurrently (worth it from `r ≈ 128`).
    public init(rows r: Int, columns n: Int, formsInParts: Bool = false) throws(LinearAlgebraError) {
        guard r >= 1, n >= r else { throw .dimensionMismatch("LQ needs 1 ≤ rows ≤ columns, got \(r)×\(n)") }
        rows = r
        columns = n
        self.formsInParts = formsInParts && r >= 2
        blockReflector = [Double](repeating: 0, count: r * r)
        // dgeqrt needs nb·r, dgemqrt (side L, k columns) needs k·nb ≤ r·r.
        workspace = .allocate(capacity: r * r)
        workspace.initialize(repeating: 0, count: r * r)
        secondWorkspace = .allocate(capacity: r * r)
        secondWorkspace.initialize(repeating: 0, count: r * r)
        secondBlockReflector = .allocate(capacity: r * r)
        secondBlockReflector.initialize(repeating: 0, count: r * r)
    }

    deinit {
        workspace.deallocate()
        secondWorkspace.deallocate()
        secondBlockReflector.deallocate()
    }

    /// Factors the row-major `rows×columns` matrix at `c`, which is overwritten: on return
    /// its first `rows` columns hold `L` (row-major, leading dimension `columns`, lower
    /// triangle; the signs of its diagonal are LAPACK's) and `lowerDiagonal[i]` holds `L_ii`.
    /// With `orthonormal`, `Q` is formed there (`rows×columns`, row-major).
    ///
    /// With ``formsInParts`` the work runs on two threads of its own. Run OpenBLAS on one thread
    /// meanwhile (``BLAS/setThreadCount(_:)``, the application's setting; this type never changes
    /// it), so that the two threads do not oversubscribe the cores and the bits do not depend on
    /// OpenBLAS's thread count (its threaded GEMM/TRMM inside `dgeqrt` change the last bits with it).
    public func factor(_ c: UnsafeMutablePointer<Double>, lowerDiagonal: UnsafeMutablePointer<Double>,
                       orthonormal q: UnsafeMutablePointer<Double>? = nil) throws(LinearAlgebraError) {
        try factorBody(c, lowerDiagonal: lowerDiagonal, orthonormal: q)
    }

    private func factorBody(_ c: UnsafeMutablePointer<Double>, lowerDiagonal: UnsafeMutablePointer<Double>,
                            orthonormal q: UnsafeMutablePointer<Double>?) throws(LinearAlgebraError) {
        let r = rows, n = columns
        for index in 0..<(r * n) where !c[index].isFinite { throw .nonFiniteInput(routine: "dgeqrt") }
        if q == nil, formsInParts, n >= 2 * r {
            try factorTriangleInParts(c, lowerDiagonal: lowerDiagonal)
            return
        }
        var info: Int32 = 0
        blockReflector.withUnsafeMutableBufferPointer { t in
            info = LAPACKE_dgeqrt_work(LAPACK_COL_MAJOR, Int32(n), Int32(r), Int32(r), c, Int32(n), t.baseAddress, Int32(r), workspace)
        }
        guard info == 0 else { throw LinearAlgebraError.fromInfo(info, routine: "dgeqrt", positiveMeaning: "unexpected") }
        // R is the column-major upper triangle with R_ij at i + j·n, i.e. row-major L_ji = R_ij at j·n + i.
        for i in 0..<r { lowerDiagonal[i] = c[i + i * n] }
        guard let q else { return }
        // Q̃ [I; 0]: column-major n×r, i.e. row-major r×n with q[i·n + i] = 1.
        q.update(repeating: 0, count: r * n)
        for i in 0..<r { q[i * n + i] = 1 }
        // Columns [first, first + count) of Q̃ [I; 0] are rows [first, first + count) of the row-major Q.
        let parts = formsInParts ? [0..<(r / 2), (r / 2)..<r] : [0..<r]
        var infos: [Int32] = [0, 0]
        blockReflector.withUnsafeBufferPointer { t in
            infos.withUnsafeMutableBufferPointer { codes in
                let shared = FormingBuffers(reflectors: UnsafeMutablePointer(mutating: c), blockReflector: t.baseAddress!, q: q,
                                            workspaces: (workspace, secondWorkspace), infos: codes.baseAddress!)
                let apply: @Sendable (Int) -> Void = { part in
                    let columnRange = parts[part]
                    shared.infos[part] = LAPACKE_dgemqrt_work(
                        LAPACK_COL_MAJOR, CChar(UInt8(ascii: "L")), CChar(UInt8(ascii: "N")), Int32(n), Int32(columnRange.count),
                        Int32(r), Int32(r), shared.reflectors, Int32(n), shared.blockReflector, Int32(r),
                        shared.q + columnRange.lowerBound * n, Int32(n), part == 0 ? shared.workspaces.0 : shared.workspaces.1)
                }
                if parts.count == 2 { DispatchQueue.concurrentPerform(iterations: 2, execute: apply) } else { apply(0) }
            }
        }
        for code in infos where code != 0 {
            throw LinearAlgebraError.fromInfo(code, routine: "dgemqrt", positiveMeaning: "unexpected")
        }
    }
}

extension LQFactorization {
    /// `L` alone, by a two-part tall–skinny QR of `Cᵀ` (TSQR; Demmel, Grigori, Hoemmen & Langou,
    /// SIAM J. Sci. Comput. 34(1), 2012): the two row blocks of `Cᵀ` (column halves of `C`) are
    /// factored by `dgeqrt` concurrently, then their triangles `R₁`, `R₂` are combined by the
    /// triangular–pentagonal QR `dtpqrt` into the `R` of `Cᵀ` (unique up to the signs of its rows,
    /// and as backward stable as one Householder QR). Roughly halves the time of one `dgeqrt` on
    /// the critical path. The split is fixed, so the bits do not depend on any thread count.
    fileprivate func factorTriangleInParts(_ c: UnsafeMutablePointer<Double>, lowerDiagonal: UnsafeMutablePointer<Double>) throws(LinearAlgebraError) {
        let r = rows, n = columns
        let top = Swift.max(r, Swift.min(n - r, (n / 2 + 7) / 8 * 8))
        var infos: [Int32] = [0, 0]
        blockReflector.withUnsafeMutableBufferPointer { t in
            infos.withUnsafeMutableBufferPointer { codes in
                let shared = TriangleBuffers(c: c, blockReflectors: (t.baseAddress!, secondBlockReflector),
                                             workspaces: (workspace, secondWorkspace), infos: codes.baseAddress!)
                DispatchQueue.concurrentPerform(iterations: 2) { part in
                    let firstRow = part == 0 ? 0 : top
                    let height = part == 0 ? top : n - top
                    shared.infos[part] = LAPACKE_dgeqrt_work(
                        LAPACK_COL_MAJOR, Int32(height), Int32(r), Int32(r), shared.c + firstRow, Int32(n),
                        part == 0 ? shared.blockReflectors.0 : shared.blockReflectors.1, Int32(r),
                        part == 0 ? shared.workspaces.0 : shared.workspaces.1)
                }
            }
        }
        for code in infos where code != 0 {
            throw LinearAlgebraError.fromInfo(code, routine: "dgeqrt", positiveMeaning: "unexpected")
        }
        // [R₁; R₂] = Q̂ R: A = R₁ (upper triangle at row 0), B = R₂ (upper triangle at row `top`, l = r).
        // Blocks of 32 columns: with one block of r, dtpqrt runs the vector routine dtpqrt2 on everything.
        let blockSize = Swift.min(r, 32)
        let info = blockReflector.withUnsafeMutableBufferPointer { t in
            LAPACKE_dtpqrt_work(LAPACK_COL_MAJOR, Int32(r), Int32(r), Int32(r), Int32(blockSize), c, Int32(n), c + top, Int32(n),
                                t.baseAddress, Int32(blockSize), workspace)
        }
        guard info == 0 else { throw LinearAlgebraError.fromInfo(info, routine: "dtpqrt", positiveMeaning: "unexpected") }
        for i in 0..<r { lowerDiagonal[i] = c[i + i * n] }
    }
}

/// Pointers shared by the two block factorisations of ``LQFactorization/factorTriangleInParts``;
/// each part writes its own rows of `Cᵀ`, its own `T`, workspace and `info`.
private struct TriangleBuffers: @unchecked Sendable {
    let c: UnsafeMutablePointer<Double>
    let blockReflectors: (UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>)
    let workspaces: (UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>)
    let infos: UnsafeMutablePointer<Int32>
}

/// Pointers shared by the two halves of `Q`'s formation; each half writes its own rows of `q`,
/// its own workspace and its own `info`.
private struct FormingBuffers: @unchecked Sendable {
    let reflectors: UnsafeMutablePointer<Double>
    let blockReflector: UnsafePointer<Double>
    let q: UnsafeMutablePointer<Double>
    let workspaces: (UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>)
    let infos: UnsafeMutablePointer<Int32>
}
