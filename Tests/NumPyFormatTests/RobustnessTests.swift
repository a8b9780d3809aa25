import Foundation
import Testing
@testable import NumPyFormat

/// Multiplier of the fuzz loops' iteration counts: 1 in `make test` (10,000 inputs in all),
/// `RICCATI_FUZZ_SCALE=20` in `make fuzz` (200,000).
let fuzzScale = max(1, Int(ProcessInfo.processInfo.environment["RICCATI_FUZZ_SCALE"] ?? "") ?? 1)

@Suite("NPY robustness")
struct RobustnessTests {
    /// A valid file with a non-trivial header and data.
    static func validFile(major: UInt8 = 1) -> [UInt8] {
        var generator = SplitMix64(seed: 7)
        let values = randomValues(count: 12, generator: &generator)
        return npy(dict(shape: "(3, 4)"), major: major, payload: littleEndianBytes(values))
    }

    @Test("every proper prefix of a valid file is rejected", arguments: [1, 2, 3] as [UInt8])
    func truncations(major: UInt8) throws {
        let bytes = Self.validFile(major: major)
        let full = try NPY.decode(bytes)
        #expect(full.shape == [3, 4])
        let headerEnd = bytes.count - 96  // npy() pads so the data starts at a multiple of 64
        #expect(headerEnd % 64 == 0)
        for length in 0..<bytes.count {
            guard let error = decodeError(Array(bytes.prefix(length))) else {
                Issue.record("prefix of length \(length) was accepted")
                continue
            }
            switch length {
            case 0..<6:
                #expect(error == .truncated(source: badSource, part: "magic string", needed: 6, available: length))
            case 6..<8:
                #expect(error == .truncated(source: badSource, part: "version", needed: 8, available: length))
            case 8..<(major == 1 ? 10 : 12):
                guard case .truncated(_, "header length", _, _) = error else {
                    Issue.record("length \(length): \(error)")
                    continue
                }
            case (major == 1 ? 10 : 12)..<headerEnd:
                guard case .truncated(_, "header", headerEnd, length) = error else {
                    Issue.record("length \(length): \(error)")
                    continue
                }
            default:
                #expect(error == .dataLengthMismatch(source: badSource, shape: [3, 4], expectedBytes: 96,
                                                     actualBytes: length - headerEnd))
            }
            #expect(!error.description.contains("\n"))
        }
    }

    @Test("seeded random byte changes in the prefix and header never crash")
    func headerByteFlips() throws {
        var generator = SplitMix64(seed: 0xF11B)
        let original = Self.validFile()
        var accepted = 0
        var rejected = 0
        let iterations = 5000 * fuzzScale
        for _ in 0..<iterations {
            var bytes = original
            let changes = 1 + Int(generator.next() % 4)
            for _ in 0..<changes {
                let index = Int(generator.next() % 64)  // magic, version, length, header
                if generator.next() % 2 == 0 {
                    bytes[index] ^= UInt8(truncatingIfNeeded: 1 << (generator.next() % 8))
                } else {
                    bytes[index] = UInt8(truncatingIfNeeded: generator.next())
                }
            }
            do {
                let array = try NPY.decode(bytes)
                #expect(array.isConsistent)
                #expect(array.values.count * 8 <= bytes.count)
                accepted += 1
            } catch {
                #expect(!error.description.isEmpty && !error.description.contains("\n"))
                rejected += 1
            }
        }
        #expect(accepted + rejected == iterations)
        #expect(rejected > iterations * 4 / 5)  // nearly every change breaks something
    }

    @Test("seeded random headers built from header tokens never crash")
    func grammarFuzz() {
        let fragments = ["{", "}", "(", ")", "[", "]", ":", ",", " ", "'descr'", "'fortran_order'", "'shape'",
                         "'<f8'", "'>f8'", "True", "False", "None", "2", "3", "6", "0", "-1", "1e3", "2.",
                         "99999999999999999999999", "'", "\"", "\\", "\n", "\u{0}", "é", "+", "-", "007"]
        var generator = SplitMix64(seed: 2024)
        var accepted = 0
        let iterations = 3000 * fuzzScale
        for _ in 0..<iterations {
            var header = ""
            for _ in 0..<Int(generator.next() % 30) {
                header += fragments[Int(generator.next() % UInt64(fragments.count))]
            }
            if generator.next() % 3 == 0 { header = dict(shape: header) }
            let major = UInt8(1 + generator.next() % 3)
            let payloadCount = Int(generator.next() % 8)
            let bytes = npy(header, major: major, payload: littleEndianBytes([Double](repeating: 1, count: payloadCount)),
                            pad: generator.next() % 2 == 0)
            if let array = try? NPY.decode(bytes) {
                #expect(array.isConsistent && array.values.count == payloadCount)
                accepted += 1
            }
        }
        #expect(accepted < iterations)
    }

    @Test("random garbage and random-length suffixes never crash")
    func garbage() {
        var generator = SplitMix64(seed: 31337)
        let valid = Self.validFile(major: 2)
        for i in 0..<(2000 * fuzzScale) {
            var bytes: [UInt8]
            if i % 2 == 0 {
                bytes = (0..<Int(generator.next() % 200)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
                if generator.next() % 2 == 0 { bytes = magicBytes + [UInt8(1 + generator.next() % 3), 0] + bytes }
            } else {
                bytes = Array(valid.prefix(Int(generator.next() % UInt64(valid.count))))
                bytes += (0..<Int(generator.next() % 100)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            }
            if let array = try? NPY.decode(bytes) {
                #expect(array.isConsistent)
            }
        }
    }
}
