import Foundation
import LinearAlgebra
import Monotonicity
import Riccati
import Testing
import TestSupport

@Suite struct MatrixOrderTests {
    @Test func knownPairs() throws {
        let le = try LoewnerOrder.compare(.diagonal([1, 2]), .diagonal([2, 3]))
        #expect(le.relation == .lessOrEqual)
        #expect(abs(le.smallestEigenvalue - 1) < 1e-15 && abs(le.largestEigenvalue - 1) < 1e-15)
        #expect(try LoewnerOrder.compare(.diagonal([2, 3]), .diagonal([1, 2])).relation == .greaterOrEqual)
        #expect(try LoewnerOrder.compare(.diagonal([2, 3]), .diagonal([2, 3])).relation == .equal)
        let incomparable = try LoewnerOrder.compare(.diagonal([1, 0]), .diagonal([0, 1]))
        #expect(incomparable.relation == .incomparable)
        #expect(abs(incomparable.smallestEigenvalue + 1) < 1e-15)
        #expect(abs(abs(incomparable.smallestWitness[0]) - 1) < 1e-15)   // witness e₁: e₁ᵀ(Y−X)e₁ = −1
        #expect(abs(abs(incomparable.largestWitness[1]) - 1) < 1e-15)
    }

    @Test func randomOrderedAndUnorderedPairs() throws {
        var random = TestRandom(state: 5)
        for trial in 0..<50 {
            let n = 2 + trial % 6
            let x = random.psd(n, rank: n)
            let increment = random.psd(n, rank: 1 + trial % n)
            let y = x + increment
            #expect(try LoewnerOrder.compare(x, y).relation == .lessOrEqual)
            #expect(try LoewnerOrder.compare(y, x).relation == .greaterOrEqual)
            // Built not to be ordered: add one PSD direction and remove another.
            let u = random.matrix(n, 1), w = random.matrix(n, 1)
            let z = x + BLAS.gram(u) - 0.5 * BLAS.gram(w) - 0.5 * BLAS.gram(w)
            let mixed = try LoewnerOrder.compare(x, z)
            if mixed.relation == .incomparable {
                // The witnesses really certify both failures.
                #expect(quadraticForm(z - x, mixed.smallestWitness) < 0)
                #expect(quadraticForm(z - x, mixed.largestWitness) > 0)
                #expect(abs(quadraticForm(z - x, mixed.smallestWitness) - mixed.smallestEigenvalue) < 1e-12 * max(1, x.frobeniusNorm))
            }
            // With independent rank-one directions (n ≥ 2), z − x = uuᵀ − wwᵀ is indefinite.
            #expect(mixed.relation == .incomparable)
        }
    }

    @Test func toleranceDecidesNearTheBoundary() throws {
        var random = TestRandom(state: 9)
        let x = random.psd(4, rank: 4)
        var v = random.matrix(4, 1)
        let norm = v.frobeniusNorm
        v = (1 / norm) * v
        let y = x - (1e-12 * x.frobeniusNorm) * BLAS.gram(v)    // Y = X minus a hair
        let loose = try LoewnerOrder.compare(y, x, relativeTolerance: 1e-10)
        let strict = try LoewnerOrder.compare(x, y, relativeTolerance: 1e-14)
        let looseReverse = try LoewnerOrder.compare(x, y, relativeTolerance: 1e-10)
        #expect(loose.relation == .equal)
        #expect(looseReverse.relation == .equal)
        #expect(strict.relation == .greaterOrEqual)
        #expect(abs(loose.tolerance - 1e-10 * x.frobeniusNorm) < 1e-24)
        // Scale invariance of the verdict.
        #expect(try LoewnerOrder.compare(1e-9 * x, 1e-9 * y, relativeTolerance: 1e-14).relation == .greaterOrEqual)
    }

    @Test func badInputIsRejected() {
        var asymmetric = Matrix.identity(3)
        asymmetric[0, 1] = 1e-3
        #expect(throws: RiccatiError.self) { try LoewnerOrder.compare(asymmetric, .identity(3)) }
        #expect(throws: RiccatiError.self) { try LoewnerOrder.compare(.identity(2), .identity(3)) }
        var nonFinite = Matrix.identity(2)
        nonFinite[1, 1] = .nan
        #expect(throws: RiccatiError.self) { try LoewnerOrder.compare(nonFinite, .identity(2)) }
        #expect(throws: RiccatiError.self) { try LoewnerOrder.compare(.identity(2), .identity(2), relativeTolerance: -1) }
        #expect(throws: RiccatiError.self) { try LevelSet.ellipse(of: .diagonal([1, 0])) }
    }
}
