import CLapack

/// Which eigenvalues of a symmetric matrix to compute.
public enum EigenvalueRange: Equatable, Sendable {
    /// All `n` eigenvalues.
    case all
    /// The eigenvalues in the half-open interval `(lower, upper]`.
    case values(lower: Double, upper: Double)
    /// The eigenvalues with zero-based ascending indices `first...last`
    /// (`0` is the smallest, `n − 1` the largest).
    case indices(first: Int, last: Int)
}

/// The result of a symmetric eigendecomposition `A = V diag(values) Vᵀ`.
public struct SymmetricEigendecomposition: Equatable, Sendable {
    /// Eigenvalues in ascending order.
    public var values: [Double]
    /// Eigenvectors as the **columns** of an `n × values.count` matrix (`nil` when only values
    /// were requested). Column `k` belongs to `values[k]` and has unit Euclidean norm.
    public var vectors: Matrix?
}

/// A reusable symmetric eigensolver for `n×n` matrices, built on LAPACK `dsyevr`
/// (relatively robust representations; Dhillon, Parlett & Vömel).
///
/// The workspace is allocated once in `init`, so repeated calls inside a time-stepping loop do
/// not allocate. An instance is not thread-safe: give each thread its own.
///
/// Storage convention: inputs are row-major (see ``Matrix``). Because the input is symmetric,
/// its row-major and column-major readings coincide and no transpose is made. LAPACK returns
/// eigenvectors as the columns of a column-major matrix, which is the same memory as a
/// row-major matrix whose **rows** are the eigenvectors; ``eigenvectorRows`` exposes that
/// buffer directly for hot loops.
public final class SymmetricEigensolver {
    /// The matrix order `n`.
    public let dimension: Int
    /// Ascending eigenvalues from the last call (the first ``computedCount`` entries are valid).
    public private(set) var eigenvalues: [Double]
    /// Row `k` (entries `k*n ..< (k+1)*n`) is the unit eigenvector of `eigenvalues[k]`, from the
    /// last call that asked for vectors.
    public private(set) var eigenvectorRows: [Double]
    /// How many eigenpairs the last call computed.
    public private(set) var computedCount: Int = 0

    private var scratch: [Double]
    private var work: [Double]
    private var integerWork: [riccatikit_lapack_int]
    private var support: [riccatikit_lapack_int]
    private var rowScaled: [Double]

    /// Prepares a solver for `n×n` matrices (`n ≥ 1`).
    public init(dimension n: Int) throws(LinearAlgebraError) {
        guard n >= 1 else { throw .invalidArgument("eigensolver dimension must be ≥ 1, got \(n)") }
        dimension = n
        eigenvalues = [Double](repeating: 0, count: n)
        eigenvectorRows = [Double](repeating: 0, count: n * n)
        scratch = [Double](repeating: 0, count: n * n)
        support = [riccatikit_lapack_int](repeating: 0, count: 2 * n)
        rowScaled = [Double](repeating: 0, count: n * n)
        // Workspace query (lwork = liwork = -1). LAPACK documents LWORK ≥ 26n, LIWORK ≥ 10n.
        var optimalWork = 0.0
        var optimalIntegerWork: riccatikit_lapack_int = 0
        var found: riccatikit_lapack_int = 0
        var dummy = [Double](repeating: 0, count: n * n)
        var values = [Double](repeating: 0, count: n)
        var vectors = [Double](repeating: 0, count: n * n)
        var isuppz = [riccatikit_lapack_int](repeating: 0, count: 2 * n)
        let info = LAPACKE_dsyevr_work(
            LAPACK_COL_MAJOR, Self.char("V"), Self.char("A"), Self.char("U"), Int32(n), &dummy, Int32(n),
            0, 0, 0, 0, 0, &found, &values, &vectors, Int32(n), &isuppz,
            &optimalWork, -1, &optimalIntegerWork, -1)
        guard info == 0 else {
            throw LinearAlgebraError.fromInfo(info, routine: "dsyevr (workspace query)", positiveMeaning: "internal error")
        }
        work = [Double](repeating: 0, count: Swift.max(Int(optimalWork), 26 * n))
        integerWork = [riccatikit_lapack_int](repeating: 0, count: Swift.max(Int(optimalIntegerWork), 10 * n))
    }

    @inline(__always)
    static func char(_ scalar: Unicode.Scalar) -> CChar { CChar(UInt8(ascii: scalar)) }

    /// Core call: decomposes the symmetric row-major matrix at `a` (leading dimension `n`, both
    /// triangles filled; only one is read). Results land in ``eigenvalues`` and, with
    /// `vectors`, ``eigenvectorRows``. Returns the number of eigenpairs found.
    @discardableResult
    public func compute(
        symmetric a: UnsafePointer<Double>, vectors: Bool, range: EigenvalueRange = .all
    ) throws(LinearAlgebraError) -> Int {
        let n = dimension
        var nonFinite = false
        scratch.withUnsafeMutableBufferPointer { s in
            for index in 0..<(n * n) {
                let value = a[index]
                if !value.isFinite { nonFinite = true }
                s[index] = value
            }
        }
        if nonFinite { throw .nonFiniteInput(routine: "dsyevr") }

        var rangeCode = Self.char("A")
        var lower = 0.0, upper = 0.0
        var first: Int32 = 0, last: Int32 = 0
        switch range {
        case .all:
            break
        case .values(let vl, let vu):
            guard vl.isFinite, vu.isFinite, vl < vu else {
                throw .invalidArgument("eigenvalue interval (\(vl), \(vu)] must be finite with lower < upper")
            }
            rangeCode = Self.char("V"); lower = vl; upper = vu
        case .indices(let lo, let hi):
            guard 0 <= lo, lo <= hi, hi < n else {
                throw .invalidArgument("eigenvalue indices \(lo)...\(hi) must satisfy 0 ≤ first ≤ last < \(n)")
            }
            rangeCode = Self.char("I"); first = Int32(lo + 1); last = Int32(hi + 1)
        }
        // ABSTOL = safe minimum gives the most accurate eigenvalues (LAPACK dsyevr documentation).
        let absoluteTolerance = Double.leastNormalMagnitude
        var found: riccatikit_lapack_int = 0
        let lwork = Int32(work.count), liwork = Int32(integerWork.count)
        let info = scratch.withUnsafeMutableBufferPointer { s in
            eigenvalues.withUnsafeMutableBufferPointer { w in
                eigenvectorRows.withUnsafeMutableBufferPointer { z in
                    support.withUnsafeMutableBufferPointer { isuppz in
                        work.withUnsafeMutableBufferPointer { wk in
                            integerWork.withUnsafeMutableBufferPointer { iwk in
                                LAPACKE_dsyevr_work(
                                    LAPACK_COL_MAJOR, vectors ? Self.char("V") : Self.char("N"), rangeCode,
                                    Self.char("U"), Int32(n), s.baseAddress, Int32(n), lower, upper, first, last,
                                    absoluteTolerance, &found, w.baseAddress, z.baseAddress, Int32(n),
                                    isuppz.baseAddress, wk.baseAddress, lwork, iwk.baseAddress, liwork)
                            }
                        }
                    }
                }
            }
        }
        guard info == 0 else {
            throw LinearAlgebraError.fromInfo(info, routine: "dsyevr", positiveMeaning: "internal error in the MRRR/bisection iteration")
        }
        computedCount = Int(found)
        return computedCount
    }

    /// Eigenvalues (ascending) of the symmetric matrix `a`, optionally restricted to `range`.
    public func eigenvalues(of a: Matrix, range: EigenvalueRange = .all) throws(LinearAlgebraError) -> [Double] {
        try checkShape(a)
        let count = try a.storage.withUnsafeBufferPointer { (p) throws(LinearAlgebraError) -> Int in
            try compute(symmetric: p.baseAddress!, vectors: false, range: range)
        }
        return Array(eigenvalues[0..<count])
    }

    /// Eigenvalues and unit eigenvectors of the symmetric matrix `a`, optionally restricted to `range`.
    public func decompose(_ a: Matrix, range: EigenvalueRange = .all) throws(LinearAlgebraError) -> SymmetricEigendecomposition {
        try checkShape(a)
        let count = try a.storage.withUnsafeBufferPointer { (p) throws(LinearAlgebraError) -> Int in
            try compute(symmetric: p.baseAddress!, vectors: true, range: range)
        }
        let n = dimension
        var vectors = Matrix(rows: n, columns: count)
        for k in 0..<count {
            for i in 0..<n { vectors[i, k] = eigenvectorRows[k * n + i] }
        }
        return SymmetricEigendecomposition(values: Array(eigenvalues[0..<count]), vectors: vectors)
    }

    /// Writes `A^{-1/2} = V diag(μ^{-1/2}) Vᵀ` of the symmetric positive-definite row-major `a`
    /// into `result` (`n×n`, both triangles). Throws ``LinearAlgebraError/notPositiveDefinite(routine:order:detail:)``
    /// when the smallest eigenvalue is not positive.
    ///
    /// Cost: one `dsyevr` with vectors plus one SYRK (`Bᵀ B` with `B = diag(μ^{-1/4}) Vᵀ`).
    public func inverseSquareRoot(
        symmetric a: UnsafePointer<Double>, into result: UnsafeMutablePointer<Double>
    ) throws(LinearAlgebraError) {
        let n = dimension
        try compute(symmetric: a, vectors: true, range: .all)
        let smallest = eigenvalues[0]
        guard smallest > 0, smallest.isFinite, eigenvalues[n - 1].isFinite else {
            throw .notPositiveDefinite(routine: "inverseSquareRoot", order: 0, detail: "smallest eigenvalue \(smallest)")
        }
        rowScaled.withUnsafeMutableBufferPointer { b in
            eigenvectorRows.withUnsafeBufferPointer { v in
                eigenvalues.withUnsafeBufferPointer { mu in
                    for k in 0..<n {
                        let factor = 1 / mu[k].squareRoot().squareRoot()
                        for i in 0..<n { b[k * n + i] = factor * v[k * n + i] }
                    }
                }
            }
            BLAS.syrkUpper(transpose: true, n: n, k: n, alpha: 1, a: b.baseAddress!, lda: n,
                           beta: 0, c: result, ldc: n)
        }
        BLAS.mirrorUpperToLower(result, n: n, ldc: n)
    }

    /// `A^{-1/2}` of a symmetric positive-definite matrix, as a new matrix.
    public func inverseSquareRoot(of a: Matrix) throws(LinearAlgebraError) -> Matrix {
        try checkShape(a)
        var result = Matrix(rows: dimension, columns: dimension)
        try a.storage.withUnsafeBufferPointer { (p) throws(LinearAlgebraError) in
            try result.storage.withUnsafeMutableBufferPointer { (r) throws(LinearAlgebraError) in
                try inverseSquareRoot(symmetric: p.baseAddress!, into: r.baseAddress!)
            }
        }
        return result
    }

    private func checkShape(_ a: Matrix) throws(LinearAlgebraError) {
        guard a.rows == dimension, a.columns == dimension else {
            throw .dimensionMismatch("eigensolver for \(dimension)×\(dimension) matrices got \(a.rows)×\(a.columns)")
        }
    }
}

extension LinearAlgebra {
    /// Largest allowed `|A_ij − A_ji| / max(1, max|A|)` for a matrix to count as symmetric.
    public static let defaultSymmetryTolerance = 1e-10

    /// Throws unless `a` is square, finite and symmetric within `tolerance` (relative to `max|A|`).
    public static func requireSymmetric(_ a: Matrix, name: String, tolerance: Double = defaultSymmetryTolerance) throws(LinearAlgebraError) {
        guard a.isSquare else { throw .dimensionMismatch("\(name) must be square, got \(a.rows)×\(a.columns)") }
        guard a.isFinite else { throw .invalidArgument("\(name) has NaN or infinite entries") }
        let scale = Swift.max(1, a.maxAbs)
        let asymmetry = a.asymmetry
        guard asymmetry <= tolerance * scale else {
            throw .invalidArgument("\(name) is not symmetric: max |A_ij − A_ji| = \(asymmetry) exceeds \(tolerance * scale)")
        }
    }

    /// Eigenvalues (ascending) of a symmetric matrix; a one-off convenience that allocates a solver.
    public static func symmetricEigenvalues(_ a: Matrix, range: EigenvalueRange = .all) throws(LinearAlgebraError) -> [Double] {
        try requireSymmetric(a, name: "matrix")
        return try SymmetricEigensolver(dimension: a.rows).eigenvalues(of: a, range: range)
    }

    /// Full (or ranged) eigendecomposition of a symmetric matrix; allocates a solver.
    public static func symmetricEigendecomposition(_ a: Matrix, range: EigenvalueRange = .all) throws(LinearAlgebraError) -> SymmetricEigendecomposition {
        try requireSymmetric(a, name: "matrix")
        return try SymmetricEigensolver(dimension: a.rows).decompose(a, range: range)
    }

    /// `A^{-1/2}` of a symmetric positive-definite matrix; allocates a solver.
    public static func inverseSquareRoot(_ a: Matrix) throws(LinearAlgebraError) -> Matrix {
        try requireSymmetric(a, name: "matrix")
        return try SymmetricEigensolver(dimension: a.rows).inverseSquareRoot(of: a)
    }
}
