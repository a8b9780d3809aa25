/// SplitMix64 (Steele, Lea & Flood, "Fast splittable pseudorandom number
/// generators", OOPSLA 2014; constants as in Vigna's public-domain
/// `splitmix64.c`).
///
/// A 64-bit-state generator used here to expand a single `UInt64` seed into
/// the 256-bit state of ``Xoshiro256StarStar``, as its authors recommend.
/// It is a fine generator in its own right for small jobs, but its period is
/// only 2^64; use ``Xoshiro256StarStar`` for simulations.
public struct SplitMix64: RandomNumberGenerator, Sendable, Equatable {
    /// The Weyl-sequence counter; the next output is a bijective mix of
    /// `state &+ 0x9e3779b97f4a7c15`.
    public var state: UInt64

    /// Creates a generator whose first output mixes `seed &+ 0x9e3779b97f4a7c15`.
    /// Every seed, including 0, is valid.
    @inlinable
    public init(seed: UInt64) {
        state = seed
    }

    /// Advances the counter by the golden-ratio increment and returns the
    /// mixed value (the "Mix13"-style finaliser of Stafford, variant 13).
    @inlinable
    public mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z &>> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z &>> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z &>> 31)
    }
}
