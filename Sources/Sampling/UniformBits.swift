/// Conversions from raw 64-bit generator output to floating-point uniforms.
///
/// Shared by ``Xoshiro256StarStar`` and the generic samplers, so that every
/// uniform in the module is produced the same way.
@usableFromInline
enum UniformBits {
    /// The top 53 bits as a `Double` in [0, 1): one of the 2^53 equally spaced
    /// values k·2^-53, k = 0 … 2^53 − 1 (Vigna's recommended conversion).
    @inlinable @inline(__always)
    static func closedOpen(_ bits: UInt64) -> Double {
        Double(Int64(bitPattern: bits &>> 11)) * 0x1.0p-53
    }

    /// The top 52 bits as a `Double` in the open interval (0, 1): the midpoints
    /// (k + 1/2)·2^-52, k = 0 … 2^52 − 1. The extremes are 2^-53 and 1 − 2^-53,
    /// both exactly representable, so neither 0 nor 1 can occur after rounding
    /// (with 53 bits the top midpoint 1 − 2^-54 would round up to 1).
    @inlinable @inline(__always)
    static func open(_ bits: UInt64) -> Double {
        (Double(Int64(bitPattern: bits &>> 12)) + 0.5) * 0x1.0p-52
    }
}
