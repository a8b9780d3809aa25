import CLapack

/// The calling thread's handling of subnormal numbers (x86-64 MXCSR; a no-op elsewhere).
///
/// Arithmetic on subnormal doubles (below 2.2e-308 in magnitude) can be many times slower than
/// on normal ones. Quantities that decay exponentially toward 0, such as the overlaps of
/// directions a student never learns, pass through that range; flushing them to 0 changes
/// each by less than 2.2e-308.
public enum FloatingPointMode {
    /// The register value with flush-to-zero (bit 15) and denormals-are-zero (bit 6) set.
    static let flushingBits: UInt32 = (1 << 15) | (1 << 6)

    /// The current control word (0 where there is none).
    public static var controlWord: UInt32 { riccatikit_get_mxcsr() }

    /// Sets the calling thread's control word (as returned by ``controlWord``).
    public static func setControlWord(_ value: UInt32) { riccatikit_set_mxcsr(value) }

    /// Whether the calling thread flushes subnormals to zero.
    public static var flushesSubnormals: Bool {
        #if arch(x86_64)
        return controlWord & flushingBits == flushingBits
        #else
        return false
        #endif
    }

    /// Runs `body` with subnormal inputs and results flushed to zero on the calling thread, then
    /// restores the previous mode.
    public static func withSubnormalsFlushed<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        #if arch(x86_64)
        let previous = controlWord
        setControlWord(previous | flushingBits)
        defer { setControlWord(previous) }
        #endif
        return try body()
    }
}
