/// 64-bit FNV-1a (Fowler–Noll–Vo; offset basis 0xcbf29ce484222325, prime 0x100000001b3).
enum SnapshotHash {
    static func update(_ hash: inout UInt64, _ byte: UInt8) {
        hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
    }

    static func of(bytes: some Sequence<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in bytes { update(&hash, byte) }
        return hash
    }

    static func of(_ values: [Double]) -> String {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for value in values {
            var bits = value.bitPattern
            for _ in 0..<8 { update(&hash, UInt8(truncatingIfNeeded: bits)); bits >>= 8 }
        }
        return "n=\(values.count) fnv1a=" + String(hash, radix: 16)
    }
}
