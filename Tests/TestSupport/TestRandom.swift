import Foundation
import LinearAlgebra

/// Deterministic Gaussian test data (SplitMix64 + Box–Muller), independent of the library's
/// own generator so that tests do not share its bugs. Shared by every test target.
public struct TestRandom {
    public var state: UInt64
    public init(state: UInt64) { self.state = state }

    public mutating func nextUInt() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in (0, 1).
    public mutating func uniform() -> Double { (Double(nextUInt() >> 11) + 0.5) * 0x1.0p-53 }
    public mutating func normal() -> Double { (-2 * log(uniform())).squareRoot() * cos(2 * .pi * uniform()) }
    /// A `rows × columns` matrix of i.i.d. `N(0, scale²)` entries.
    public mutating func matrix(_ rows: Int, _ columns: Int, scale: Double = 1) -> Matrix {
        var m = Matrix(rows: rows, columns: columns)
        for i in 0..<m.storage.count { m.storage[i] = scale * normal() }
        return m
    }
    /// `GGᵀ` with `G` an `n × rank` Gaussian matrix.
    public mutating func psd(_ n: Int, rank: Int, scale: Double = 1) -> Matrix { BLAS.gram(matrix(n, rank, scale: scale)) }
}

/// `‖A − B‖_F / max(‖A‖_F, ‖B‖_F)`.
public func relativeDifference(_ a: Matrix, _ b: Matrix) -> Double {
    (a - b).frobeniusNorm / max(1e-300, max(a.frobeniusNorm, b.frobeniusNorm))
}

/// `|a − b| / max(|a|, |b|)`.
public func relativeDifference(_ a: Double, _ b: Double) -> Double {
    abs(a - b) / max(1e-300, max(abs(a), abs(b)))
}
