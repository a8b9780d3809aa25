import Foundation
import Testing
@testable import NumPyFormat

@Suite("NPY hand-built headers")
struct HandBuiltHeaderTests {
    static let expectedValues: [Double] = [0, 1, 2, 3, 4, 5]

    @Test("literal version 1.0 file as written by numpy.save (header length 118)")
    func literalVersion1() throws {
        // np.save(f, np.arange(6.0).reshape(2, 3)) with NumPy 2.x.
        let dictText = "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }"
        var bytes: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 0x01, 0x00, 0x76, 0x00]
        bytes += Array(dictText.utf8)
        bytes += [UInt8](repeating: 0x20, count: 118 - 1 - dictText.utf8.count)
        bytes += [0x0A]
        #expect(bytes.count == 128)
        bytes += [0, 0, 0, 0, 0, 0, 0, 0]                    // 0.0
        bytes += [0, 0, 0, 0, 0, 0, 0xF0, 0x3F]              // 1.0
        bytes += [0, 0, 0, 0, 0, 0, 0x00, 0x40]              // 2.0
        bytes += [0, 0, 0, 0, 0, 0, 0x08, 0x40]              // 3.0
        bytes += [0, 0, 0, 0, 0, 0, 0x10, 0x40]              // 4.0
        bytes += [0, 0, 0, 0, 0, 0, 0x14, 0x40]              // 5.0
        let array = try NPY.decode(bytes, source: "arange.npy")
        #expect(array.shape == [2, 3])
        #expect(array.values == Self.expectedValues)
    }

    @Test("literal version 2.0 and 3.0 files (UInt32 header length)")
    func literalVersions2And3() throws {
        let dictText = "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }"
        for major: UInt8 in [2, 3] {
            // 12-byte prefix + 116-byte header = 128: data aligned to 64.
            var bytes: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, major, 0x00, 0x74, 0x00, 0x00, 0x00]
            bytes += Array(dictText.utf8)
            bytes += [UInt8](repeating: 0x20, count: 116 - 1 - dictText.utf8.count)
            bytes += [0x0A]
            bytes += sixValues
            let array = try NPY.decode(bytes)
            #expect(array.shape == [2, 3], "version \(major)")
            #expect(array.values == Self.expectedValues, "version \(major)")
        }
    }

    static let equivalentHeaders: [String] = [
        "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }",
        "{'descr': '<f8', 'shape': (2, 3), 'fortran_order': False, }",
        "{'fortran_order': False, 'descr': '<f8', 'shape': (2, 3), }",
        "{'fortran_order': False, 'shape': (2, 3), 'descr': '<f8'}",
        "{'shape': (2, 3), 'descr': '<f8', 'fortran_order': False}",
        "{'shape': (2, 3), 'fortran_order': False, 'descr': '<f8', }",
        "{\"descr\": \"<f8\", \"fortran_order\": False, \"shape\": (2, 3)}",
        "{'descr':'<f8','fortran_order':False,'shape':(2,3)}",
        "  {\t'descr' : '<f8' ,\n 'fortran_order' :\r\nFalse , 'shape' : ( 2 , 3 , ) , }  ",
        "{'descr': '<f8', 'fortran_order': False, 'shape': ((2), 3), }",
        "{'descr': '<f8', 'fortran_order': False, 'shape': (+2, 3), }",
    ]

    @Test("keys in any order, either quote style, free whitespace", arguments: equivalentHeaders)
    func equivalentHeader(header: String) throws {
        for major: UInt8 in [1, 2, 3] {
            let array = try NPY.decode(npy(header, major: major))
            #expect(array.shape == [2, 3])
            #expect(array.values == Self.expectedValues)
        }
    }

    @Test("scalar, empty and 1-D shapes; unaligned (unpadded) headers are accepted")
    func shapeForms() throws {
        let scalar = try NPY.decode(npy(dict(shape: "()"), payload: littleEndianBytes([2.5])))
        #expect(scalar.shape == [] && scalar.values == [2.5])
        let empty = try NPY.decode(npy(dict(shape: "(0,)"), payload: []))
        #expect(empty.shape == [0] && empty.values.isEmpty)
        let emptyMatrix = try NPY.decode(npy(dict(shape: "(0, 5)"), payload: []))
        #expect(emptyMatrix.shape == [0, 5])
        let vector = try NPY.decode(npy(dict(shape: "(6,)"), pad: false))
        #expect(vector.shape == [6] && vector.values == Self.expectedValues)
        let hugeZero = try NPY.decode(npy(dict(shape: "(9223372036854775807, 0)"), payload: []))
        #expect(hugeZero.shape == [Int.max, 0] && hugeZero.values.isEmpty)
    }
}
