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
