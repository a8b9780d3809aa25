import CLapack

extension LinearAlgebra {
    /// Cholesky factor `L` (lower triangular, positive diagonal) with `A = L Lᵀ`, via LAPACK `dpotrf`.
    ///
    /// `a` must be symmetric (checked within ``defaultSymmetryTolerance``) and positive definite.
    /// The row-major buffer is handed to LAPACK as column-major, where it reads as `Aᵀ = A`;
    /// LAPACK's column-major upper factor `U` (`A = UᵀU`) is then exactly the row-major lower `L`.
    public static func cholesky(_ a: Matrix) throws(LinearAlgebraError) -> Matrix {
        try requireSymmetric(a, name: "Cholesky input")
        let n = a.rows
        var factor = a
        if n == 0 { return factor }
        let info = factor.storage.withUnsafeMutableBufferPointer { p in
            LAPACKE_dpotrf_work(LAPACK_COL_MAJOR, SymmetricEigensolver.char("U"), Int32(n), p.baseAddress, Int32(n))
        }
        if info > 0 {
            throw .notPositiveDefinite(routine: "dpotrf", order: Int(info), detail: "")
        }
        guard info == 0 else {
            throw LinearAlgebraError.fromInfo(info, routine: "dpotrf", positiveMeaning: "not positive definite")
        }
        for i in 0..<n { for j in (i + 1)..<Swift.max(i + 1, n) { factor[i, j] = 0 } }
        return factor
    }

    /// In-place Cholesky factorisation of the symmetric positive-definite row-major `n×n`
    /// matrix at `a` (both triangles filled): on return its lower triangle holds `L` with
    /// `A = L Lᵀ`; the strict upper triangle is left as it was. No allocation (`dpotrf`).
    public static func choleskyInPlace(_ a: UnsafeMutablePointer<Double>, dimension n: Int) throws(LinearAlgebraError) {
        for index in 0..<(n * n) where !a[index].isFinite { throw .nonFiniteInput(routine: "dpotrf") }
        let info = LAPACKE_dpotrf_work(LAPACK_COL_MAJOR, SymmetricEigensolver.char("U"), Int32(n), a, Int32(n))
        if info > 0 { throw .notPositiveDefinite(routine: "dpotrf", order: Int(info), detail: "") }
        guard info == 0 else { throw LinearAlgebraError.fromInfo(info, routine: "dpotrf", positiveMeaning: "not positive definite") }
    }

    /// In-place inverse of the row-major lower-triangular `n×n` matrix `L` at `a` (`dtrtri`):
    /// on return the lower triangle holds `L⁻¹` and the strict upper triangle is zero, so the
    /// buffer can be used as a full matrix in a GEMM. No allocation.
    public static func invertLowerTriangularInPlace(_ a: UnsafeMutablePointer<Double>, dimension n: Int) throws(LinearAlgebraError) {
        for i in 0..<n { for j in 0...i where !a[i * n + j].isFinite { throw .nonFiniteInput(routine: "dtrtri") } }
        // Row-major lower = column-major upper.
        let info = LAPACKE_dtrtri_work(LAPACK_COL_MAJOR, SymmetricEigensolver.char("U"), SymmetricEigensolver.char("N"),
                                       Int32(n), a, Int32(n))
        if info > 0 { throw .lapackFailure(routine: "dtrtri", info: Int(info), detail: "the triangular matrix is singular (diagonal entry \(info) is zero)") }
        guard info == 0 else { throw LinearAlgebraError.fromInfo(info, routine: "dtrtri", positiveMeaning: "singular") }
        for i in 0..<n { for j in (i + 1)..<Swift.max(i + 1, n) { a[i * n + j] = 0 } }
    }

    /// Thin QR factorisation `A = Q R` of an `m×n` matrix with `m ≥ n`, via `dgeqrf` + `dorgqr`.
    ///
    /// `Q` is `m×n` with orthonormal columns and `R` is `n×n` upper triangular. Signs are fixed
    /// so that `diag(R) ≥ 0`; with that convention the `Q` of a Gaussian matrix is Haar
    /// distributed (Mezzadri, "How to generate random matrices from the classical compact
    /// groups", Notices AMS 2007).
    public static func qr(_ a: Matrix) throws(LinearAlgebraError) -> (q: Matrix, r: Matrix) {
        let m = a.rows, n = a.columns
        guard m >= n else { throw .dimensionMismatch("thin QR needs rows ≥ columns, got \(m)×\(n)") }
        guard a.isFinite else { throw .nonFiniteInput(routine: "dgeqrf") }
        if n == 0 { return (Matrix(rows: m, columns: 0), Matrix(rows: 0, columns: 0)) }
        var q = a
        var reflectorScales = [Double](repeating: 0, count: n)
        var info = q.storage.withUnsafeMutableBufferPointer { p in
            LAPACKE_dgeqrf(LAPACK_ROW_MAJOR, Int32(m), Int32(n), p.baseAddress, Int32(n), &reflectorScales)
        }
        guard info == 0 else { throw LinearAlgebraError.fromInfo(info, routine: "dgeqrf", positiveMeaning: "unexpected") }
        var r = Matrix(rows: n, columns: n)
        for i in 0..<n { for j in i..<n { r[i, j] = q[i, j] } }
        info = q.storage.withUnsafeMutableBufferPointer { p in
            LAPACKE_dorgqr(LAPACK_ROW_MAJOR, Int32(m), Int32(n), Int32(n), p.baseAddress, Int32(n), &reflectorScales)
        }
        guard info == 0 else { throw LinearAlgebraError.fromInfo(info, routine: "dorgqr", positiveMeaning: "unexpected") }
        for j in 0..<n where r[j, j] < 0 {
            for k in j..<n { r[j, k] = -r[j, k] }
            for i in 0..<m { q[i, j] = -q[i, j] }
        }
        return (q, r)
    }

    /// An orthonormal basis of the column space of `a` (`m×n`, `m ≥ n`, full column rank):
    /// the `Q` of ``qr(_:)``.
    public static func orthonormalBasis(_ a: Matrix) throws(LinearAlgebraError) -> Matrix {
        try qr(a).q
    }
}
