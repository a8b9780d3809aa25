import Foundation
import Testing
@testable import LinearAlgebra
import TestSupport

/// Reference triple loop, only to check BLAS against.
func naiveProduct(_ a: Matrix, _ b: Matrix) -> Matrix {
    var c = Matrix(rows: a.rows, columns: b.columns)
    for i in 0..<a.rows { for j in 0..<b.columns { for k in 0..<a.columns { c[i, j] += a[i, k] * b[k, j] } } }
    return c
}

func maxDifference(_ a: Matrix, _ b: Matrix) -> Double {
    zip(a.storage, b.storage).reduce(0) { max($0, abs($1.0 - $1.1)) }
}

@Suite struct BLASTests {
    @Test func gemmMatchesReferenceForAllTransposes() throws {
        var random = TestRandom(state: 1)
        let a = random.matrix(7, 5), b = random.matrix(5, 3)
        let reference = naiveProduct(a, b)
        #expect(maxDifference(try BLAS.product(a, b), reference) < 1e-13)
        #expect(maxDifference(try BLAS.product(a.transposed, transposeA: true, b), reference) < 1e-13)
        #expect(maxDifference(try BLAS.product(a, b.transposed, transposeB: true), reference) < 1e-13)
        // Negative control: a wrong operand order is detected by the same comparison.
        #expect(maxDifference(try BLAS.product(a, b.transposed.transposed), reference) < 1e-13)
        var wrong = try BLAS.product(a, b)
        wrong[0, 0] += 1e-6
        #expect(maxDifference(wrong, reference) > 1e-7)
    }

    @Test func gemmRejectsMismatchedShapes() {
        let a = Matrix(rows: 3, columns: 4), b = Matrix(rows: 3, columns: 4)
        #expect(throws: LinearAlgebraError.self) { try BLAS.product(a, b) }
        var c = Matrix(rows: 2, columns: 2)
        #expect(throws: LinearAlgebraError.self) { try BLAS.multiply(a, b, transposeB: true, into: &c) }
    }

    @Test func syrkGramIsSymmetricAndCorrect() {
        var random = TestRandom(state: 2)
        let a = random.matrix(6, 9)
        let gram = BLAS.gram(a)
        #expect(maxDifference(gram, naiveProduct(a, a.transposed)) < 1e-12)
        #expect(gram.asymmetry == 0)
        let gramT = BLAS.gram(a, transpose: true)
        #expect(maxDifference(gramT, naiveProduct(a.transposed, a)) < 1e-12)
    }
}

@Suite struct EigensolverTests {
    func randomSymmetric(_ n: Int, seed: UInt64) -> Matrix {
        var random = TestRandom(state: seed)
        let g = random.matrix(n, n)
        return 0.5 * (g + g.transposed)
    }

    @Test func fullDecompositionReconstructs() throws {
        let n = 12
        let a = randomSymmetric(n, seed: 3)
        let result = try LinearAlgebra.symmetricEigendecomposition(a)
        let v = try #require(result.vectors)
        // A V = V Λ and VᵀV = I.
        let av = try BLAS.product(a, v)
        let vl = try BLAS.product(v, Matrix.diagonal(result.values))
        #expect(maxDifference(av, vl) < 1e-12)
        #expect(maxDifference(try BLAS.product(v, transposeA: true, v), .identity(n)) < 1e-13)
        #expect(zip(result.values, result.values.dropFirst()).allSatisfy { $0 <= $1 })
        // Trace equals the eigenvalue sum.
        #expect(abs(result.values.reduce(0, +) - a.trace) < 1e-12)
    }

    @Test func valuesOnlyAndRangesAgreeWithFull() throws {
        let n = 10
        let a = randomSymmetric(n, seed: 4)
        let solver = try SymmetricEigensolver(dimension: n)
        let all = try solver.eigenvalues(of: a)
        let top = try solver.eigenvalues(of: a, range: .indices(first: n - 3, last: n - 1))
        #expect(top.count == 3)
        for k in 0..<3 { #expect(abs(top[k] - all[n - 3 + k]) < 1e-12) }
        let window = try solver.decompose(a, range: .values(lower: all[2] - 1e-9, upper: all[5] + 1e-9))
        #expect(window.values.count == 4)
        #expect(window.vectors?.columns == 4)
        for k in 0..<4 { #expect(abs(window.values[k] - all[2 + k]) < 1e-12) }
        #expect(throws: LinearAlgebraError.self) { try solver.eigenvalues(of: a, range: .indices(first: 3, last: n)) }
    }

    @Test func nonFiniteInputThrows() throws {
        var a = randomSymmetric(5, seed: 5)
        a[1, 2] = .nan
        a[2, 1] = .nan
        let solver = try SymmetricEigensolver(dimension: 5)
        #expect(throws: LinearAlgebraError.nonFiniteInput(routine: "dsyevr")) { try solver.eigenvalues(of: a) }
        a[1, 2] = .infinity
        a[2, 1] = .infinity
        #expect(throws: LinearAlgebraError.self) { try LinearAlgebra.symmetricEigenvalues(a) }
    }

    /// `dtrtri`'s failure paths: a zero on the diagonal (info > 0) and a non-finite entry both
    /// throw; a regular factor inverts (negative control).
    @Test func triangularInverseFailuresThrow() throws {
        var l: [Double] = [2, 0, 0,
                           1, 3, 0,
                           4, 5, 6]
        var inverse = l
        try inverse.withUnsafeMutableBufferPointer { try LinearAlgebra.invertLowerTriangularInPlace($0.baseAddress!, dimension: 3) }
        let product = try BLAS.product(try Matrix(rows: 3, columns: 3, storage: l), try Matrix(rows: 3, columns: 3, storage: inverse))
        #expect((product - Matrix.identity(3)).maxAbs < 1e-15)
        l[4] = 0
        #expect(throws: LinearAlgebraError.self) {
            try l.withUnsafeMutableBufferPointer { try LinearAlgebra.invertLowerTriangularInPlace($0.baseAddress!, dimension: 3) }
        }
        l[4] = .nan
        #expect(throws: LinearAlgebraError.nonFiniteInput(routine: "dtrtri")) {
            try l.withUnsafeMutableBufferPointer { try LinearAlgebra.invertLowerTriangularInPlace($0.baseAddress!, dimension: 3) }
        }
    }

    @Test func nonSymmetricInputIsRejected() {
        var a = Matrix.identity(3)
        a[0, 2] = 1e-3
        #expect(throws: LinearAlgebraError.self) { try LinearAlgebra.symmetricEigenvalues(a) }
    }

    @Test func inverseSquareRootInvertsTheSquare() throws {
        var random = TestRandom(state: 6)
        let n = 8
        let g = random.matrix(n, n + 3)
        let a = BLAS.gram(g) + Matrix.identity(n)
        let root = try LinearAlgebra.inverseSquareRoot(a)
        // X A X = I and X symmetric.
        let xax = try BLAS.product(try BLAS.product(root, a), root)
        #expect(maxDifference(xax, .identity(n)) < 1e-12)
        #expect(root.asymmetry < 1e-14)
        // Negative control: an indefinite matrix is refused.
        var indefinite = a
        indefinite[0, 0] = -50
        #expect(throws: LinearAlgebraError.self) { try LinearAlgebra.inverseSquareRoot(indefinite) }
    }
}

@Suite struct FactorizationTests {
    @Test func choleskyReconstructsAndIsLowerTriangular() throws {
        var random = TestRandom(state: 7)
        let n = 9
        let a = BLAS.gram(random.matrix(n, n + 2)) + 0.1 * Matrix.identity(n)
        let l = try LinearAlgebra.cholesky(a)
        #expect(maxDifference(try BLAS.product(l, l.transposed), a) < 1e-12)
        for i in 0..<n {
            #expect(l[i, i] > 0)
            for j in (i + 1)..<max(i + 1, n) { #expect(l[i, j] == 0) }
        }
    }

    @Test func choleskyReportsTheFailingMinor() throws {
        let a = try Matrix([[4, 2, 0], [2, 1, 0], [0, 0, 1]])   // singular leading 2×2 block
        #expect(throws: LinearAlgebraError.notPositiveDefinite(routine: "dpotrf", order: 2, detail: "")) {
            try LinearAlgebra.cholesky(a)
        }
    }

    @Test func qrGivesOrthonormalColumnsAndPositiveDiagonal() throws {
        var random = TestRandom(state: 8)
        let a = random.matrix(11, 4)
        let (q, r) = try LinearAlgebra.qr(a)
        #expect(q.rows == 11 && q.columns == 4)
        #expect(maxDifference(try BLAS.product(q, transposeA: true, q), .identity(4)) < 1e-13)
        #expect(maxDifference(try BLAS.product(q, r), a) < 1e-12)
        for i in 0..<4 {
            #expect(r[i, i] >= 0)
            for j in 0..<i { #expect(r[i, j] == 0) }
        }
        #expect(throws: LinearAlgebraError.self) { try LinearAlgebra.qr(random.matrix(3, 5)) }
    }
}

@Suite struct LQFactorizationTests {
    /// A graded random `r×n` matrix (row `i` scaled by `10^{−i/4}`), row-major.
    func gradedMatrix(rows r: Int, columns n: Int, seed: UInt64) -> [Double] {
        var state = seed
        return (0..<(r * n)).map { index in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let uniform = Double(state >> 11) / Double(1 << 53) - 0.5
            return uniform * pow(10, -Double(index / n) / 4)
        }
    }

    /// `L` (lower triangle, row-major `r×r`) from `c` after `factor`, with each column's sign
    /// fixed so that the diagonal is positive (`C = L Q = (L D)(D Q)` for any signs `D`).
    func normalisedLower(_ c: [Double], rows r: Int, columns n: Int) -> [Double] {
        var lower = [Double](repeating: 0, count: r * r)
        for i in 0..<r {
            for j in 0...i { lower[i * r + j] = (c[j * n + j] < 0 ? -1 : 1) * c[i * n + j] }
        }
        return lower
    }

    /// Without `Q`, the two-part (TSQR) factorisation gives the same `L` as one `dgeqrt`, up to
    /// the signs of its rows, and `L Lᵀ = C Cᵀ`. The control: `L` of a perturbed matrix differs
    /// by far more than the tolerance.
    @Test(arguments: [(4, 12), (64, 384), (128, 640), (33, 70)])
    func twoPartTriangleMatchesOnePart(rows r: Int, columns n: Int) throws {
        let original = gradedMatrix(rows: r, columns: n, seed: UInt64(r * 1000 + n))
        let diagonal = UnsafeMutablePointer<Double>.allocate(capacity: r)
        defer { diagonal.deallocate() }
        var single = original, split = original
        try single.withUnsafeMutableBufferPointer { try LQFactorization(rows: r, columns: n).factor($0.baseAddress!, lowerDiagonal: diagonal) }
        try split.withUnsafeMutableBufferPointer {
            try LQFactorization(rows: r, columns: n, formsInParts: true).factor($0.baseAddress!, lowerDiagonal: diagonal)
        }
        let a = normalisedLower(single, rows: r, columns: n), b = normalisedLower(split, rows: r, columns: n)
        // Row i of L has size about 10^{−i/4}: compare row by row, relative to the row's norm.
        // (The signs of the columns are LAPACK's choice and differ between the two; see normalisedLower.)
        var worst = 0.0
        for i in 0..<r {
            var squares = 0.0
            for j in 0...i { squares += a[i * r + j] * a[i * r + j] }
            let norm = squares.squareRoot()
            for j in 0...i { worst = max(worst, abs(a[i * r + j] - b[i * r + j]) / norm) }
            #expect(abs(diagonal[i]) > 0)
        }
        #expect(worst < 1e-12, "row-relative difference \(worst)")
        // L Lᵀ reproduces C Cᵀ (first and last rows).
        for (i, j) in [(0, 0), (r - 1, r - 1), (r - 1, 0)] {
            var gram = 0.0, fromLower = 0.0
            for k in 0..<n { gram += original[i * n + k] * original[j * n + k] }
            for k in 0...min(i, j) { fromLower += b[i * r + k] * b[j * r + k] }
            let rowScale: Double = pow(10, -Double(i + j) / 8)
            let tolerance: Double = 1e-12 * abs(gram) + 1e-14 * rowScale
            #expect(abs(gram - fromLower) <= tolerance)
        }
        // Control: a 1e-6 change of one entry in the last row shows up far above 1e-12.
        var perturbed = original
        perturbed[(r - 1) * n] += 1e-6 * pow(10, -Double(r - 1) / 4)
        try perturbed.withUnsafeMutableBufferPointer {
            try LQFactorization(rows: r, columns: n, formsInParts: true).factor($0.baseAddress!, lowerDiagonal: diagonal)
        }
        let c = normalisedLower(perturbed, rows: r, columns: n)
        var lastSquares = 0.0, change = 0.0
        for k in 0..<r { lastSquares += a[(r - 1) * r + k] * a[(r - 1) * r + k] }
        for k in 0..<r { change = max(change, abs(a[(r - 1) * r + k] - c[(r - 1) * r + k])) }
        change /= lastSquares.squareRoot()
        #expect(change > 1e-9, "control change \(change)")
    }
}
