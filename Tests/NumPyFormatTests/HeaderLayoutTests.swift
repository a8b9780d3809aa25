import Foundation
import Testing
@testable import NumPyFormat

@Suite("NPY header layout")
struct HeaderLayoutTests {
    @Test("header is aligned to 64 bytes and ends with a newline",
          arguments: [[], [0], [1], [5], [3, 4], [2, 3, 4], [10, 0, 7], [123_456_789, 0],
                      [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], [Int.max, 0], [0, 0, 0, 0, 0, 0, 0, 0, 0]] as [[Int]])
    func alignment(shape: [Int]) throws {
        let count = NPYArray.elementCount(of: shape) ?? -1
        let array = try NPYArray(shape: shape, values: [Double](repeating: 1.5, count: count))
        let bytes = NPY.encode(array)
        #expect(Array(bytes[0..<6]) == magicBytes)
        #expect(bytes[6] == 1 && bytes[7] == 0)
        let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        let dataOffset = 10 + headerLength
        #expect(dataOffset % 64 == 0)
        #expect(bytes[dataOffset - 1] == UInt8(ascii: "\n"))
        #expect(bytes.count == dataOffset + count * 8)
        let header = String(decoding: bytes[10..<(dataOffset - 1)], as: UTF8.self)
        let expectedDict = "{'descr': '<f8', 'fortran_order': False, 'shape': \(pythonTuple(shape)), }"
        #expect(header.hasPrefix(expectedDict))
        #expect(header.dropFirst(expectedDict.count).allSatisfy { $0 == " " })
        #expect(try NPY.decode(bytes) == array)
    }

    @Test("header text matches numpy's layout exactly")
    func exactHeaderText() throws {
        // The dict alone is 55+ bytes, so prefix + header = 128 for small shapes
        // (header length 118, as in numpy.save output of NumPy 1.x).
        let cases: [([Int], String, Int)] = [
            ([], "()", 118), ([5], "(5,)", 118), ([3, 4], "(3, 4)", 118), ([2, 3, 4], "(2, 3, 4)", 118),
            ([Int](repeating: 1, count: 40), pythonTuple([Int](repeating: 1, count: 40)), 182),
        ]
        for (shape, tuple, expectedLength) in cases {
            let array = try NPYArray(shape: shape, values: [Double](repeating: 0, count: shape.reduce(1, *)))
            let bytes = NPY.encode(array)
            let dictText = "{'descr': '<f8', 'fortran_order': False, 'shape': \(tuple), }"
            let padding = (64 - (10 + dictText.utf8.count + 1) % 64) % 64
            let headerLength = dictText.utf8.count + padding + 1
            let expected = magicBytes + [1, 0, UInt8(headerLength % 256), UInt8(headerLength / 256)] + Array(dictText.utf8)
                + [UInt8](repeating: 0x20, count: padding) + [0x0A]
            #expect(Array(bytes.prefix(expected.count)) == expected, "shape \(tuple)")
            #expect(headerLength == expectedLength, "shape \(tuple)")
        }
    }

    @Test("a shape needing more than 65535 header bytes falls back to version 2.0")
    func versionTwoFallback() throws {
        let shape = [Int](repeating: 1, count: 25_000)
        let array = try NPYArray(shape: shape, values: [7.25])
        let bytes = NPY.encode(array)
        #expect(bytes[6] == 2 && bytes[7] == 0)
        let headerLength = (0..<4).reduce(0) { $0 | Int(bytes[8 + $1]) << (8 * $1) }
        #expect(headerLength > 65535)
        #expect((12 + headerLength) % 64 == 0)
        #expect(bytes[12 + headerLength - 1] == 0x0A)
        let decoded = try NPY.decode(bytes)
        #expect(decoded.shape.count == 25_000)
        #expect(decoded.values == [7.25])
    }
}
