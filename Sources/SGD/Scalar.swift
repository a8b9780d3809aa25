import LinearAlgebra
import Sampling

/// The floating-point types the simulator runs in: `Float` (BLAS `sgemm`) or `Double` (`dgemm`).
public protocol SGDScalar: BinaryFloatingPoint, Sendable {
    /// `C ← α op(A) op(B) + β C`, row-major.
    static func gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Self, a: UnsafePointer<Self>, lda: Int, b: UnsafePointer<Self>, ldb: Int,
        beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int)
    /// Fills `buffer` with standard normals from `generator` (the same stream for both types).
    static func fillNormals(_ buffer: UnsafeMutableBufferPointer<Self>, using generator: inout Xoshiro256StarStar)
    /// `"double"` or `"float"`.
    static var precisionName: String { get }
    /// Conversion from `Double` without generic dispatch (rounds to nearest for `Float`).
    init(fromDouble value: Double)
    /// Exact widening to `Double`.
    var doubleValue: Double { get }
}

extension Double: SGDScalar {
    @inlinable
    public static func gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Double, a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int,
        beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
    ) {
        BLAS.gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                  b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    }

    @inlinable
    public static func fillNormals(_ buffer: UnsafeMutableBufferPointer<Double>, using generator: inout Xoshiro256StarStar) {
        NormalSampler.fill(buffer, using: &generator)
    }

    public static var precisionName: String { "double" }
    @inlinable public init(fromDouble value: Double) { self = value }
    @inlinable public var doubleValue: Double { self }
}

extension Float: SGDScalar {
    @inlinable
    public static func gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Float, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        BLAS.gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                  b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    }

    @inlinable
    public static func fillNormals(_ buffer: UnsafeMutableBufferPointer<Float>, using generator: inout Xoshiro256StarStar) {
        NormalSampler.fill(buffer, using: &generator)
    }

    public static var precisionName: String { "float" }
    @inlinable public init(fromDouble value: Double) { self.init(value) }
    @inlinable public var doubleValue: Double { Double(self) }
}
