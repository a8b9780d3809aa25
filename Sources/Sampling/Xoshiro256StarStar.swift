/// xoshiro256** 1.0 (Blackman & Vigna, "Scrambled linear pseudorandom number
/// generators", ACM TOMS 47(4), 2021; preprint 2018), seeded through
/// ``SplitMix64`` from a `UInt64` seed.
///
/// A 256-bit-state, all-purpose 64-bit generator with period 2^256 − 1 that
/// passes BigCrush and PractRand; every output bit is of full quality (the
/// `**` scrambler), so the low bits may be used for indices. It is a value
/// type: copying it forks the sequence, and ``state`` / ``init(state:)`` allow
/// exact checkpoints. It is not cryptographically secure.
///
/// Independent parallel streams come from ``jump()`` (2^128 steps ahead),
/// ``longJump()`` (2^192 steps ahead) or ``stream(seed:index:)``.
public struct Xoshiro256StarStar: RandomNumberGenerator, Sendable, Equatable {
    // The state words s[0] … s[3] of the reference implementation. Stored as
    // four fields (not a tuple) so that `Equatable` is synthesised and the
    // hot `next()` is trivially inlinable.
    @usableFromInline var s0: UInt64
    @usableFromInline var s1: UInt64
    @usableFromInline var s2: UInt64
    @usableFromInline var s3: UInt64

    /// Seeds the generator with four successive ``SplitMix64`` outputs from
    /// `seed`, as the authors recommend. Every seed (including 0) is valid and
    /// can never produce the forbidden all-zero state, because SplitMix64's
    /// output function is a bijection applied to four distinct counters.
    @inlinable
    public init(seed: UInt64) {
        var sm = SplitMix64(seed: seed)
        s0 = sm.next()
        s1 = sm.next()
        s2 = sm.next()
        s3 = sm.next()
    }

    /// Restores a generator from a checkpointed ``state``.
    ///
    /// Returns `nil` for the all-zero state, which is a fixed point of the
    /// recurrence (the generator would output zeros forever) and can never be
    /// reached from any other state.
    @inlinable
    public init?(state: (UInt64, UInt64, UInt64, UInt64)) {
        guard state.0 | state.1 | state.2 | state.3 != 0 else { return nil }
        self.init(uncheckedState: state)
    }

    /// Internal initializer that accepts any state, including zero (used by the
    /// GF(2)-linear jump machinery on basis vectors).
    @inlinable
    init(uncheckedState state: (UInt64, UInt64, UInt64, UInt64)) {
        (s0, s1, s2, s3) = state
    }

    /// The full 256-bit state `(s[0], s[1], s[2], s[3])` in the reference
    /// implementation's word order, for checkpoints; feed it back to
    /// ``init(state:)`` to resume the exact same sequence.
    @inlinable
    public var state: (UInt64, UInt64, UInt64, UInt64) {
        (s0, s1, s2, s3)
    }

    /// Returns the next 64-bit output and advances the state by one step
    /// (reference `next()`: `rotl(s[1] * 5, 7) * 9`).
    @inlinable
    public mutating func next() -> UInt64 {
        let result = Self.rotl(s1 &* 5, 7) &* 9
        let t = s1 &<< 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = Self.rotl(s3, 45)
        return result
    }

    /// Rotate left by `k` bits, 0 < k < 64.
    @inlinable @inline(__always)
    static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 {
        (x &<< k) | (x &>> (64 &- k))
    }

    /// The polynomial of the reference `jump()`: advancing by it is equivalent
    /// to 2^128 calls of ``next()``.
    @usableFromInline
    static let jumpPolynomial: (UInt64, UInt64, UInt64, UInt64) =
        (0x180e_c6d3_3cfd_0aba, 0xd5a6_1266_f0c9_392c, 0xa958_2618_e03f_c9aa, 0x39ab_dc45_29b1_661c)

    /// The polynomial of the reference `long_jump()`: 2^192 calls of ``next()``.
    @usableFromInline
    static let longJumpPolynomial: (UInt64, UInt64, UInt64, UInt64) =
        (0x76e1_5d3e_fefd_cbbf, 0xc500_4e44_1c52_2fb3, 0x7771_0069_854e_e241, 0x3910_9bb0_2acb_e635)

    /// Advances the state by 2^128 steps, exactly as the published `jump()`
    /// (Blackman & Vigna). Calling it repeatedly on copies yields up to 2^128
    /// non-overlapping subsequences of length 2^128, one per parallel worker.
    /// Costs 256 steps of the generator.
    public mutating func jump() {
        applyJumpPolynomial(Self.jumpPolynomial)
    }

    /// Advances the state by 2^192 steps, exactly as the published
    /// `long_jump()`: use it to give each of up to 2^64 top-level starting
    /// points its own block, inside which ``jump()`` splits further.
    public mutating func longJump() {
        applyJumpPolynomial(Self.longJumpPolynomial)
    }

    /// Evaluates the jump polynomial at the transition map (Horner-free form
    /// of the reference code: accumulate the states selected by the bits).
    @usableFromInline
    mutating func applyJumpPolynomial(_ p: (UInt64, UInt64, UInt64, UInt64)) {
        var a0: UInt64 = 0, a1: UInt64 = 0, a2: UInt64 = 0, a3: UInt64 = 0
        func accumulate(_ word: UInt64) {
            for b in 0 ..< 64 as Range<UInt64> {
                if word & (1 &<< b) != 0 {
                    a0 ^= s0
                    a1 ^= s1
                    a2 ^= s2
                    a3 ^= s3
                }
                _ = next()
            }
        }
        accumulate(p.0)
        accumulate(p.1)
        accumulate(p.2)
        accumulate(p.3)
        (s0, s1, s2, s3) = (a0, a1, a2, a3)
    }

    /// Independent stream number `index` (≥ 0) for `seed`: the generator
    /// `Xoshiro256StarStar(seed: seed)` advanced by ``jump()`` exactly `index`
    /// times, i.e. by `index`·2^128 steps. Streams 0, 1, 2, … of one seed are
    /// therefore consecutive, non-overlapping blocks of 2^128 outputs.
    ///
    /// The result is bit-identical to calling ``jump()`` `index` times. Below
    /// 256 it does exactly that (≈0.2 µs per jump in release builds); from 256
    /// on it uses cached powers J^(2^k) of the jump's 256×256 GF(2) matrix and
    /// costs one matrix–vector product per set bit of `index` (≈1 µs in all
    /// for `index` ≈ 1e6). The cache (64 matrices, 512 KiB) is built once per
    /// process, on the first such call, in about 2 ms (release).
    public static func stream(seed: UInt64, index: Int) -> Xoshiro256StarStar {
        precondition(index >= 0, "stream index must be non-negative")
        var g = Xoshiro256StarStar(seed: seed)
        if index < 256 {
            for _ in 0 ..< index { g.jump() }
            return g
        }
        let powers = JumpPowers.shared
        var remaining = UInt64(index)
        var k = 0
        while remaining != 0 {
            if remaining & 1 != 0 {
                g.setState(powers.apply(power: k, to: g.wordState))
            }
            remaining >>= 1
            k += 1
        }
        return g
    }

    /// A uniform `Double` in [0, 1) with 53 random bits:
    /// `Double(next() >> 11) * 0x1.0p-53`.
    @inlinable
    public mutating func nextUniform() -> Double {
        UniformBits.closedOpen(next())
    }

    /// A uniform `Double` in the open interval (0, 1), never exactly 0 or 1:
    /// `(Double(next() >> 12) + 0.5) * 0x1.0p-52`, i.e. 2^52 equally spaced
    /// midpoints from 2^-53 to 1 − 2^-53. Safe for `log`, `1/x` and
    /// inverse-CDF transforms.
    @inlinable
    public mutating func nextOpenUniform() -> Double {
        UniformBits.open(next())
    }

    /// The state as four words (internal helper for the jump matrices).
    var wordState: (UInt64, UInt64, UInt64, UInt64) { (s0, s1, s2, s3) }

    mutating func setState(_ w: (UInt64, UInt64, UInt64, UInt64)) {
        (s0, s1, s2, s3) = w
    }
}
