/// Powers J^(2^k), k = 0 … 63, of the GF(2)-linear map J = "advance by 2^128
/// steps" of ``Xoshiro256StarStar``.
///
/// The xoshiro transition is linear over GF(2)^256 and so is the jump (it is a
/// polynomial in the transition). J is tabulated column by column by applying
/// the reference jump to the 256 basis states; J^(2^(k+1)) = J^(2^k) ∘ J^(2^k).
/// Because all these maps are powers of one matrix they commute, so advancing
/// by `index` jumps is the product of the powers selected by the bits of
/// `index`, in any order.
final class JumpPowers: Sendable {
    /// Column-major storage: matrix k, column c (the image of basis state e_c,
    /// with bit c of the state counted as bit (c % 64) of word c / 64) occupies
    /// words [(k·256 + c)·4, (k·256 + c)·4 + 4).
    private let words: [UInt64]

    static let shared = JumpPowers()

    private static let count = 64

    private init() {
        var words = [UInt64](repeating: 0, count: Self.count * 256 * 4)
        // J from the reference jump applied to basis vectors.
        for c in 0 ..< 256 {
            var basis: [UInt64] = [0, 0, 0, 0]
            basis[c / 64] = 1 << UInt64(c % 64)
            var g = Xoshiro256StarStar(uncheckedState: (basis[0], basis[1], basis[2], basis[3]))
            g.jump()
            let s = g.wordState
            words[c * 4 + 0] = s.0
            words[c * 4 + 1] = s.1
            words[c * 4 + 2] = s.2
            words[c * 4 + 3] = s.3
        }
        // Repeated squaring.
        words.withUnsafeMutableBufferPointer { w in
            for k in 1 ..< Self.count {
                let previous = UnsafeBufferPointer(rebasing: w[((k - 1) * 1024) ..< (k * 1024)])
                for c in 0 ..< 256 {
                    let column = (previous[c * 4], previous[c * 4 + 1], previous[c * 4 + 2], previous[c * 4 + 3])
                    let image = Self.multiply(previous, column)
                    let base = k * 1024 + c * 4
                    w[base] = image.0
                    w[base + 1] = image.1
                    w[base + 2] = image.2
                    w[base + 3] = image.3
                }
            }
        }
        self.words = words
    }

    /// Matrix (256 columns of 4 words) times the bit vector `v`: the XOR of
    /// the columns selected by the set bits of `v`.
    private static func multiply(
        _ m: UnsafeBufferPointer<UInt64>, _ v: (UInt64, UInt64, UInt64, UInt64)
    ) -> (UInt64, UInt64, UInt64, UInt64) {
        var r0: UInt64 = 0, r1: UInt64 = 0, r2: UInt64 = 0, r3: UInt64 = 0
        func accumulate(_ word: UInt64, _ wordIndex: Int) {
            var bits = word
            while bits != 0 {
                let b = bits.trailingZeroBitCount
                bits &= bits &- 1
                let base = (wordIndex &* 64 &+ b) &* 4
                r0 ^= m[base]
                r1 ^= m[base &+ 1]
                r2 ^= m[base &+ 2]
                r3 ^= m[base &+ 3]
            }
        }
        accumulate(v.0, 0)
        accumulate(v.1, 1)
        accumulate(v.2, 2)
        accumulate(v.3, 3)
        return (r0, r1, r2, r3)
    }

    /// Applies J^(2^power) to the state `v`.
    func apply(power: Int, to v: (UInt64, UInt64, UInt64, UInt64)) -> (UInt64, UInt64, UInt64, UInt64) {
        precondition(power >= 0 && power < Self.count)
        return words.withUnsafeBufferPointer { w in
            Self.multiply(UnsafeBufferPointer(rebasing: w[(power * 1024) ..< ((power + 1) * 1024)]), v)
        }
    }
}
