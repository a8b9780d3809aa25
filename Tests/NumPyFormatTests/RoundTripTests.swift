import Foundation
import Testing
@testable import NumPyFormat

@Suite("NPY round trips")
struct RoundTripTests {
    @Test("encode/decode round trip preserves shape and bit patterns",
          arguments: [[], [0], [5], [3, 4], [2, 3, 4]] as [[Int]])
    func roundTrip(shape: [Int]) throws {
        var generator = SplitMix64(seed: 0x5EED_0000 &+ UInt64(shape.count))
        let count = shape.reduce(1, *)
        var values = randomValues(count: count, generator: &generator)
        // Make sure the special values are present whenever there is room.
        for (i, special) in specialValues.enumerated() where i < count && i % 2 == 0 {
            values[(i * 7) % count] = special
        }
        let array = try NPYArray(shape: shape, values: values)
        let bytes = NPY.encode(array)
        let decoded = try NPY.decode(bytes)
        #expect(decoded.shape == shape)
        #expect(decoded.values.count == count)
        #expect(bits(decoded.values) == bits(values))
        #expect(decoded == array)
        // Data section is exactly the little-endian bytes of the values.
        #expect(Array(bytes.suffix(count * 8)) == littleEndianBytes(values))
        #expect(bytes.count % 64 == (count * 8) % 64)
    }

    @Test("special values: -0, subnormals, NaN payloads and infinities keep their bits")
    func specialValuesSurvive() throws {
        let array = try NPYArray(shape: [specialValues.count], values: specialValues)
        let bytes = NPY.encode(array)
        #expect(bytes.count == 128 + specialValues.count * 8)
        #expect(Array(bytes[128...]) == littleEndianBytes(specialValues))
        let decoded = try NPY.decode(bytes)
        #expect(bits(decoded.values) == bits(specialValues))
        #expect(decoded.values[1].sign == .minus && decoded.values[1] == 0)
        #expect(decoded.values[6].bitPattern == 1)  // 4.9406564584124654e-324
        #expect(decoded.values[13] == .infinity && decoded.values[14] == -.infinity)
        #expect(decoded.values[17].bitPattern == 0x7FF0_0000_0000_0001)
        #expect(decoded.values[18].bitPattern == 0x7FF4_DEAD_BEEF_0001)
    }

    @Test("equality is bitwise")
    func bitwiseEquality() throws {
        let nan = try NPYArray(shape: [1], values: [.nan])
        #expect(nan == nan)
        #expect(try NPYArray(shape: [1], values: [0.0]) != NPYArray(shape: [1], values: [-0.0]))
        #expect(try NPYArray(shape: [2], values: [1, 2]) != NPYArray(shape: [2, 1], values: [1, 2]))
        #expect(try NPYArray(shape: [2], values: [1, 2]) == NPYArray(shape: [2], values: [1, 2]))
    }

    @Test("NPYArray.init validates the element count")
    func initValidation() throws {
        #expect(throws: NPYError.shapeMismatch(shape: [2, 3], valueCount: 5)) {
            try NPYArray(shape: [2, 3], values: [1, 2, 3, 4, 5])
        }
        #expect(throws: NPYError.shapeMismatch(shape: [-1], valueCount: 1)) {
            try NPYArray(shape: [-1], values: [1])
        }
        #expect(throws: NPYError.shapeMismatch(shape: [Int.max, 2], valueCount: 0)) {
            try NPYArray(shape: [Int.max, 2], values: [])
        }
        #expect(throws: NPYError.shapeMismatch(shape: [], valueCount: 0)) {
            try NPYArray(shape: [], values: [])
        }
        let scalar = try NPYArray(shape: [], values: [42])
        #expect(scalar.ndim == 0 && scalar.values == [42])
        let empty = try NPYArray(shape: [0, 5], values: [])
        #expect(empty.ndim == 2 && empty.isConsistent)
        let hugeButEmpty = try NPYArray(shape: [Int.max, Int.max, 0], values: [])
        #expect(hugeButEmpty.values.isEmpty)
    }

    @Test("1e6-element arrays encode and decode quickly")
    func largeArrayPerformance() throws {
        var generator = SplitMix64(seed: 99)
        let values = (0..<1_000_000).map { _ in Double.random(in: -1...1, using: &generator) }
        let array = try NPYArray(shape: [1000, 1000], values: values)
        let clock = ContinuousClock()
        var bytes: [UInt8] = []
        var decoded: NPYArray?
        let elapsed = try clock.measure {
            bytes = NPY.encode(array)
            decoded = try NPY.decode(bytes)
        }
        #expect(bytes.count == 128 + 8_000_000)
        #expect(decoded == array)
        // Bulk copies take milliseconds; a per-element string path would take seconds.
        #expect(elapsed < .seconds(1), "encode+decode of 1e6 values took \(elapsed)")

        try withTemporaryDirectory { directory in
            let path = directory + "/big.npy"
            let fileElapsed = try clock.measure {
                try NPY.write(array, to: path)
                #expect(try NPY.read(contentsOf: path) == array)
            }
            #expect(fileElapsed < .seconds(2), "write+read of 1e6 values took \(fileElapsed)")
        }
    }
}
