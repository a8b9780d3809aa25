import Foundation
import Testing
@testable import NumPyFormat

// MARK: - Helpers

/// Deterministic generator (SplitMix64) so fuzz tests are reproducible.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

private let magicBytes: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]
private let badSource = "bad.npy"

/// Little-endian bytes of the given doubles.
private func littleEndianBytes(_ values: [Double]) -> [UInt8] {
    values.flatMap { value in (0..<8).map { UInt8(truncatingIfNeeded: value.bitPattern >> (8 * UInt64($0))) } }
}

/// Six values 0...5 as the data of a (2, 3) array.
private let sixValues = littleEndianBytes([0, 1, 2, 3, 4, 5])

/// A header dict as NumPy writes it, with replaceable parts.
private func dict(descr: String = "'<f8'", fortran: String = "False", shape: String = "(2, 3)") -> String {
    "{'descr': \(descr), 'fortran_order': \(fortran), 'shape': \(shape), }"
}

/// Assembles a .npy file from raw header bytes (without the terminating newline).
private func npy(
    headerBytes: [UInt8], major: UInt8 = 1, minor: UInt8 = 0, payload: [UInt8] = sixValues,
    pad: Bool = true, newline: Bool = true
) -> [UInt8] {
    let lengthSize = major >= 2 ? 4 : 2
    var header = headerBytes
    if pad {
        let unpadded = 8 + lengthSize + header.count + (newline ? 1 : 0)
        header += [UInt8](repeating: 0x20, count: (64 - unpadded % 64) % 64)
    }
    if newline { header.append(0x0A) }
    var out = magicBytes + [major, minor]
    for i in 0..<lengthSize { out.append(UInt8(truncatingIfNeeded: header.count >> (8 * i))) }
    return out + header + payload
}

private func npy(
    _ header: String, major: UInt8 = 1, minor: UInt8 = 0, payload: [UInt8] = sixValues,
    pad: Bool = true, newline: Bool = true
) -> [UInt8] {
    npy(headerBytes: Array(header.utf8), major: major, minor: minor, payload: payload, pad: pad, newline: newline)
}

/// The error `decode` throws, or nil if it succeeds.
private func decodeError(_ bytes: [UInt8], source: String = badSource) -> NPYError? {
    do {
        _ = try NPY.decode(bytes, source: source)
        return nil
    } catch {
        return error
    }
}

private func bits(_ values: [Double]) -> [UInt64] { values.map(\.bitPattern) }

/// Special float64 bit patterns that must survive a round trip unchanged.
private let specialValues: [Double] = [
    0.0, -0.0, 1.0, -1.0, .pi, 0.1,
    Double.leastNonzeroMagnitude, -Double.leastNonzeroMagnitude,       // smallest subnormals
    Double.leastNormalMagnitude.nextDown, Double(bitPattern: 0x0008_0000_0000_0001),  // subnormals
    Double.leastNormalMagnitude, Double.greatestFiniteMagnitude, -Double.greatestFiniteMagnitude,
    .infinity, -.infinity,
    Double(bitPattern: 0x7FF8_0000_0000_0000),  // quiet NaN
    Double(bitPattern: 0xFFF8_0000_0000_0000),  // negative quiet NaN
    Double(bitPattern: 0x7FF0_0000_0000_0001),  // signalling NaN
    Double(bitPattern: 0x7FF4_DEAD_BEEF_0001),  // NaN with payload
    Double(bitPattern: 0xFFFF_FFFF_FFFF_FFFF),  // all-ones NaN
]

/// Random values mixing ordinary numbers, random bit patterns and special values.
private func randomValues(count: Int, generator: inout SplitMix64) -> [Double] {
    (0..<count).map { _ in
        switch generator.next() % 4 {
        case 0: return specialValues[Int(generator.next() % UInt64(specialValues.count))]
        case 1: return Double(bitPattern: generator.next())
        default: return Double.random(in: -1e6...1e6, using: &generator)
        }
    }
}

/// Creates a fresh directory, runs `body` with its path and removes it afterwards.
private func withTemporaryDirectory<T>(_ body: (String) throws -> T) throws -> T {
    let path = FileManager.default.temporaryDirectory
        .appendingPathComponent("npy-tests-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
    defer {
        _ = chmod(path, 0o755)
        try? FileManager.default.removeItem(atPath: path)
    }
    return try body(path)
}

private func fileBytes(_ path: String) -> [UInt8]? {
    FileManager.default.contents(atPath: path).map { [UInt8]($0) }
}

private func listing(_ directory: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
}

// MARK: - Round trips

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

// MARK: - Header layout

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

// MARK: - Hand-built headers

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

// MARK: - Rejections

/// One malformed input and the error it must produce.
struct Malformed: Sendable, CustomTestStringConvertible {
    enum Expectation: Sendable {
        case exact(NPYError)
        case malformedHeader
    }

    let name: String
    let bytes: [UInt8]
    let expectation: Expectation
    var testDescription: String { name }

    init(_ name: String, _ bytes: [UInt8], _ expected: NPYError) {
        self.name = name
        self.bytes = bytes
        self.expectation = .exact(expected)
    }

    init(_ name: String, _ bytes: [UInt8], malformedHeader: Void) {
        self.name = name
        self.bytes = bytes
        self.expectation = .malformedHeader
    }

    static let cases: [Malformed] = {
        let s = badSource
        let deep = String(repeating: "(", count: 10_000) + "2," + String(repeating: ")", count: 10_000)
        var nonASCII = Array(dict().utf8)
        nonASCII.insert(0xE9, at: 3)  // Latin-1 'é' inside the key 'descr'
        let invalidUTF8 = Array("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), '".utf8)
            + [0xC3, 0x28] + Array("': 1}".utf8)
        var nul = Array(dict().utf8)
        nul.insert(0x00, at: 1)
        return [
            // Magic and version.
            Malformed("empty input", [], .truncated(source: s, part: "magic string", needed: 6, available: 0)),
            Malformed("short magic", [0x93, 0x4E, 0x55], .truncated(source: s, part: "magic string", needed: 6, available: 3)),
            Malformed("lower-case magic", [0x93] + Array("numpy".utf8) + [1, 0],
                      .badMagic(source: s, found: [0x93] + Array("numpy".utf8))),
            Malformed("magic without \\x93", Array("NUMPY".utf8) + [1, 0, 0, 0],
                      .badMagic(source: s, found: Array("NUMPY\u{1}".utf8))),
            Malformed("text file", Array("hello world\n".utf8), .badMagic(source: s, found: Array("hello ".utf8))),
            Malformed("wrong last magic byte", [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x5A, 1, 0],
                      .badMagic(source: s, found: [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x5A])),
            Malformed("magic only", magicBytes, .truncated(source: s, part: "version", needed: 8, available: 6)),
            Malformed("major version 4", npy(dict(), major: 4), .unsupportedVersion(source: s, major: 4, minor: 0)),
            Malformed("major version 0", npy(dict(), major: 0), .unsupportedVersion(source: s, major: 0, minor: 0)),
            Malformed("minor version 1", npy(dict(), minor: 1), .unsupportedVersion(source: s, major: 1, minor: 1)),
            // Header length and termination.
            Malformed("truncated v1 header length", magicBytes + [1, 0, 0x76],
                      .truncated(source: s, part: "header length", needed: 10, available: 9)),
            Malformed("truncated v2 header length", magicBytes + [2, 0, 0x74, 0, 0],
                      .truncated(source: s, part: "header length", needed: 12, available: 11)),
            Malformed("header longer than file", magicBytes + [1, 0, 0x76, 0] + Array("{'descr'".utf8),
                      .truncated(source: s, part: "header", needed: 128, available: 18)),
            Malformed("v2 header length 0xFFFFFFFF", magicBytes + [2, 0, 0xFF, 0xFF, 0xFF, 0xFF] + Array(dict().utf8),
                      .truncated(source: s, part: "header", needed: 12 + 0xFFFF_FFFF, available: 12 + dict().utf8.count)),
            Malformed("header not terminated by newline", npy(dict() + " ", newline: false),
                      .headerNotTerminated(source: s)),
            Malformed("zero header length", magicBytes + [1, 0, 0, 0] + sixValues, .headerNotTerminated(source: s)),
            Malformed("non-ASCII byte in v1 header", npy(headerBytes: nonASCII), .invalidHeaderEncoding(source: s, major: 1)),
            Malformed("non-ASCII byte in v2 header", npy(headerBytes: nonASCII, major: 2), .invalidHeaderEncoding(source: s, major: 2)),
            Malformed("invalid UTF-8 in v3 header", npy(headerBytes: invalidUTF8, major: 3), .invalidHeaderEncoding(source: s, major: 3)),
            // Syntax.
            Malformed("empty header", npy("", pad: false), malformedHeader: ()),
            Malformed("header is a list", npy("['descr', '<f8']"), malformedHeader: ()),
            Malformed("header is a bare string", npy("'descr'"), malformedHeader: ()),
            Malformed("garbage after dict", npy(dict() + " x"), malformedHeader: ()),
            Malformed("two dicts", npy(dict() + dict()), malformedHeader: ()),
            Malformed("unterminated dict", npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), "), malformedHeader: ()),
            Malformed("unterminated string", npy("{'descr: '<f8'}"), malformedHeader: ()),
            Malformed("unterminated tuple", npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3}"), malformedHeader: ()),
            Malformed("missing colon", npy("{'descr' '<f8', 'fortran_order': False, 'shape': (2, 3)}"), malformedHeader: ()),
            Malformed("missing comma", npy("{'descr': '<f8' 'fortran_order': False, 'shape': (2, 3)}"), malformedHeader: ()),
            Malformed("double comma", npy("{'descr': '<f8',, 'fortran_order': False, 'shape': (2, 3)}"), malformedHeader: ()),
            Malformed("lone comma tuple", npy(dict(shape: "(,)")), malformedHeader: ()),
            Malformed("non-string key", npy("{1: '<f8', 'fortran_order': False, 'shape': (2, 3)}"), malformedHeader: ()),
            Malformed("None value", npy(dict(fortran: "None")), malformedHeader: ()),
            Malformed("lower-case false", npy(dict(fortran: "false")), malformedHeader: ()),
            Malformed("backslash escape in string", npy(dict(descr: "'<\\x66\\x38'")), malformedHeader: ()),
            Malformed("NUL byte in header", npy(headerBytes: nul), malformedHeader: ()),
            Malformed("nested dict", npy(dict(descr: "{'a': 1}")), malformedHeader: ()),
            Malformed("10000 nested parentheses", npy(dict(shape: deep)), malformedHeader: ()),
            Malformed("sign without digits", npy(dict(shape: "(-, 3)")), malformedHeader: ()),
            // Keys.
            Malformed("empty dict", npy("{}"), .missingKey(source: s, key: "descr")),
            Malformed("missing shape", npy("{'descr': '<f8', 'fortran_order': False}"), .missingKey(source: s, key: "shape")),
            Malformed("missing fortran_order", npy("{'descr': '<f8', 'shape': (2, 3)}"), .missingKey(source: s, key: "fortran_order")),
            Malformed("duplicate descr", npy("{'descr': '<f8', 'descr': '<f8', 'fortran_order': False, 'shape': (2, 3)}"),
                      .duplicateKey(source: s, key: "descr")),
            Malformed("duplicate shape", npy("{'shape': (2, 3), 'descr': '<f8', 'fortran_order': False, 'shape': (6,)}"),
                      .duplicateKey(source: s, key: "shape")),
            Malformed("unknown key", npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), 'extra': 1}"),
                      .unknownKey(source: s, key: "extra")),
            Malformed("key with different case", npy("{'Descr': '<f8', 'fortran_order': False, 'shape': (2, 3)}"),
                      .unknownKey(source: s, key: "Descr")),
            Malformed("UTF-8 unknown key in v3", npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), 'é': 1}", major: 3),
                      .unknownKey(source: s, key: "é")),
            // dtype.
            Malformed("big-endian float64", npy(dict(descr: "'>f8'")), .unsupportedDtype(source: s, descr: "'>f8'")),
            Malformed("float32", npy(dict(descr: "'<f4'")), .unsupportedDtype(source: s, descr: "'<f4'")),
            Malformed("int64", npy(dict(descr: "'<i8'")), .unsupportedDtype(source: s, descr: "'<i8'")),
            Malformed("object dtype", npy(dict(descr: "'|O'")), .unsupportedDtype(source: s, descr: "'|O'")),
            Malformed("f8 without byte order", npy(dict(descr: "'f8'")), .unsupportedDtype(source: s, descr: "'f8'")),
            Malformed("not-applicable byte order", npy(dict(descr: "'|f8'")), .unsupportedDtype(source: s, descr: "'|f8'")),
            Malformed("complex128", npy(dict(descr: "'<c16'")), .unsupportedDtype(source: s, descr: "'<c16'")),
            Malformed("padded descr string", npy(dict(descr: "' <f8'")), .unsupportedDtype(source: s, descr: "' <f8'")),
            Malformed("structured dtype", npy(dict(descr: "[('a', '<f8')]")), .unsupportedDtype(source: s, descr: "[('a', '<f8')]")),
            Malformed("descr is an integer", npy(dict(descr: "8")), .unsupportedDtype(source: s, descr: "8")),
            // fortran_order.
            Malformed("Fortran order", npy(dict(fortran: "True")), .fortranOrderNotSupported(source: s)),
            Malformed("fortran_order 0", npy(dict(fortran: "0")), .invalidFortranOrder(source: s, found: "0")),
            Malformed("fortran_order string", npy(dict(fortran: "'False'")), .invalidFortranOrder(source: s, found: "'False'")),
            // shape.
            Malformed("negative dimension", npy(dict(shape: "(-1,)")),
                      .invalidShape(source: s, found: "(-1,)", reason: "dimension -1 is negative")),
            Malformed("float dimension", npy(dict(shape: "(2.0, 3)")),
                      .invalidShape(source: s, found: "(2.0, 3)", reason: "dimension 2.0 is not an integer")),
            Malformed("exponent dimension", npy(dict(shape: "(1e-3,)")),
                      .invalidShape(source: s, found: "(1e-3,)", reason: "dimension 1e-3 is not an integer")),
            Malformed("leading-zero dimension", npy(dict(shape: "(006,)")),
                      .invalidShape(source: s, found: "(006,)", reason: "dimension 006 is not an integer")),
            Malformed("hex dimension", npy(dict(shape: "(0x6,)")),
                      .invalidShape(source: s, found: "(0x6,)", reason: "dimension 0x6 is not an integer")),
            Malformed("bool dimension", npy(dict(shape: "(True,)")),
                      .invalidShape(source: s, found: "(True,)", reason: "dimension True is not an integer")),
            Malformed("string dimension", npy(dict(shape: "('6',)")),
                      .invalidShape(source: s, found: "('6',)", reason: "dimension '6' is not an integer")),
            Malformed("nested tuple dimension", npy(dict(shape: "((2, 3),)")),
                      .invalidShape(source: s, found: "((2, 3),)", reason: "dimension (2, 3) is not an integer")),
            Malformed("shape without comma is an int", npy(dict(shape: "(6)")),
                      .invalidShape(source: s, found: "6", reason: "shape must be a tuple")),
            Malformed("shape is a list", npy(dict(shape: "[2, 3]")),
                      .invalidShape(source: s, found: "[2, 3]", reason: "shape must be a tuple")),
            Malformed("dimension beyond Int", npy(dict(shape: "(99999999999999999999,)")),
                      .invalidShape(source: s, found: "(99999999999999999999,)", reason: "dimension 99999999999999999999 is too large")),
            // Sizes and data length.
            Malformed("element count overflows", npy(dict(shape: "(4611686018427387904, 4)")),
                      .sizeOverflow(source: s, shape: [4_611_686_018_427_387_904, 4])),
            Malformed("byte count overflows", npy(dict(shape: "(2305843009213693952,)")),
                      .sizeOverflow(source: s, shape: [2_305_843_009_213_693_952])),
            Malformed("shape larger than data", npy(dict(shape: "(1000000,)")),
                      .dataLengthMismatch(source: s, shape: [1_000_000], expectedBytes: 8_000_000, actualBytes: 48)),
            Malformed("data one byte short", npy(dict(), payload: Array(sixValues.dropLast())),
                      .dataLengthMismatch(source: s, shape: [2, 3], expectedBytes: 48, actualBytes: 47)),
            Malformed("one trailing byte", npy(dict(), payload: sixValues + [0]),
                      .dataLengthMismatch(source: s, shape: [2, 3], expectedBytes: 48, actualBytes: 49)),
            Malformed("scalar with no data", npy(dict(shape: "()"), payload: []),
                      .dataLengthMismatch(source: s, shape: [], expectedBytes: 8, actualBytes: 0)),
            Malformed("empty array with data", npy(dict(shape: "(0,)"), payload: littleEndianBytes([1])),
                      .dataLengthMismatch(source: s, shape: [0], expectedBytes: 0, actualBytes: 8)),
        ]
    }()

    var expectedDescription: String {
        switch expectation {
        case let .exact(error): return "\(error)"
        case .malformedHeader: return "malformedHeader"
        }
    }
}

@Suite("NPY rejections")
struct RejectionTests {
    @Test("there are many distinct malformed inputs")
    func caseCount() {
        #expect(Malformed.cases.count >= 15)
        #expect(Set(Malformed.cases.map(\.name)).count == Malformed.cases.count)
    }

    @Test("malformed input is rejected with the expected error", arguments: Malformed.cases)
    func rejects(_ input: Malformed) {
        guard let error = decodeError(input.bytes) else {
            Issue.record("\(input.name): decoded successfully, expected \(input.expectedDescription)")
            return
        }
        switch input.expectation {
        case let .exact(expected):
            #expect(error == expected, "\(input.name)")
        case .malformedHeader:
            guard case let .malformedHeader(source, reason) = error else {
                Issue.record("\(input.name): got \(error), expected malformedHeader")
                return
            }
            #expect(source == badSource)
            #expect(!reason.isEmpty)
        }
        let description = error.description
        #expect(description.hasPrefix(badSource + ": "), "\(description)")
        #expect(description.contains("expected"), "\(description)")
        #expect(!description.contains("\n") && !description.contains("\r"), "\(description)")
        #expect(description.count < 400, "\(description)")
    }

    @Test("negative control: the valid file behind the malformed cases decodes")
    func validControl() throws {
        let array = try NPY.decode(npy(dict()), source: badSource)
        #expect(array.shape == [2, 3])
        #expect(array.values == [0, 1, 2, 3, 4, 5])
        for major: UInt8 in [1, 2, 3] {
            #expect(try NPY.decode(npy(dict(), major: major)).values == [0, 1, 2, 3, 4, 5])
        }
    }

    @Test("error descriptions follow the documented one-line form")
    func descriptions() {
        #expect(NPYError.unsupportedDtype(source: "M0.npy", descr: "'<i8'").description
                == "M0.npy: dtype '<i8' is not supported; expected little-endian float64 ('<f8')")
        #expect(NPYError.fortranOrderNotSupported(source: "K.npy").description
                == "K.npy: Fortran (column-major) order is not supported; expected C order ('fortran_order': False)")
        #expect(NPYError.dataLengthMismatch(source: "x.npy", shape: [2, 3], expectedBytes: 48, actualBytes: 47).description
                == "x.npy: data section has 47 bytes; expected exactly 48 bytes ((2, 3) float64 values) after the header")
        #expect(NPYError.shapeMismatch(shape: [5], valueCount: 4).description
                == "shape (5,) does not fit 4 values; expected non-negative dimensions whose product equals the number of values")
        #expect(NPYError.unexpectedShape(source: "A.npy", expected: [3, nil], shape: [4, 4]).description
                == "A.npy: array has shape (4, 4); expected shape (3, _) (_ = any extent)")
        // Control characters from names and contents are escaped; long text is cut.
        let hostile = NPYError.malformedHeader(source: "evil\nname.npy", reason: String(repeating: "\u{1B}x", count: 500))
        #expect(!hostile.description.contains("\n"))
        #expect(!hostile.description.contains("\u{1B}"))
        #expect(hostile.description.hasPrefix("evil\\nname.npy: malformed header: "))
        #expect(hostile.description.count < 1000)
    }
}

// MARK: - Robustness

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

// MARK: - Files and atomic writes

@Suite("NPY files")
struct FileTests {
    static let sample = try! NPYArray(shape: [3, 4], values: (0..<12).map { Double($0) / 3 - 1 })
    static let other = try! NPYArray(shape: [2], values: [-0.0, .infinity])

    @Test("write then read returns the same array and the file holds exactly encode(array)")
    func writeRead() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/M0.npy"
            try NPY.write(Self.sample, to: path)
            #expect(fileBytes(path) == NPY.encode(Self.sample))
            #expect(try NPY.read(contentsOf: path) == Self.sample)
            #expect(listing(directory) == ["M0.npy"])
            #expect(try NPY.read(contentsOf: directory + "/./M0.npy") == Self.sample)
        }
    }

    @Test("reading a missing file or a directory throws unreadable")
    func unreadable() throws {
        try withTemporaryDirectory { directory in
            let missing = directory + "/missing.npy"
            do throws(NPYError) {
                _ = try NPY.read(contentsOf: missing)
                Issue.record("missing file was read")
            } catch {
                guard case let .unreadable(path, reason) = error else {
                    Issue.record("unexpected \(error)")
                    return
                }
                #expect(path == missing)
                #expect(reason.contains("No such file"), "\(reason)")
                #expect(error.description.hasPrefix(missing + ": cannot read file"))
            }
            do throws(NPYError) {
                _ = try NPY.read(contentsOf: directory)
                Issue.record("directory was read")
            } catch {
                #expect(error == .unreadable(path: directory, reason: "is a directory"))
            }
        }
    }

    @Test("decoding errors from read name the file")
    func readErrorNamesFile() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/M0.npy"
            #expect(FileManager.default.createFile(atPath: path, contents: Data(npy(dict(descr: "'<i8'")))))
            #expect(throws: NPYError.unsupportedDtype(source: path, descr: "'<i8'")) {
                try NPY.read(contentsOf: path)
            }
        }
    }

    @Test("read(contentsOf:expectingDimensions:) checks ndim and optional extents")
    func expectingDimensions() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/A.npy"
            try NPY.write(Self.sample, to: path)
            #expect(try NPY.read(contentsOf: path, expectingDimensions: 2) == Self.sample)
            #expect(try NPY.read(contentsOf: path, expectingDimensions: 2, exactShape: [3, nil]) == Self.sample)
            #expect(try NPY.read(contentsOf: path, expectingDimensions: 2, exactShape: [3, 4]) == Self.sample)
            #expect(throws: NPYError.dimensionMismatch(source: path, expected: 1, shape: [3, 4])) {
                try NPY.read(contentsOf: path, expectingDimensions: 1)
            }
            #expect(throws: NPYError.dimensionMismatch(source: path, expected: 0, shape: [3, 4])) {
                try NPY.read(contentsOf: path, expectingDimensions: 0)
            }
            #expect(throws: NPYError.unexpectedShape(source: path, expected: [4, nil], shape: [3, 4])) {
                try NPY.read(contentsOf: path, expectingDimensions: 2, exactShape: [4, nil])
            }
            #expect(throws: NPYError.unexpectedShape(source: path, expected: [3], shape: [3, 4])) {
                try NPY.read(contentsOf: path, expectingDimensions: 2, exactShape: [3])
            }
            #expect(throws: NPYError.unreadable(path: directory + "/nope.npy", reason: "open failed: No such file or directory")) {
                try NPY.read(contentsOf: directory + "/nope.npy", expectingDimensions: 2)
            }
        }
    }

    @Test("writing into a missing directory throws and creates nothing")
    func missingDirectory() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/missing/sub/x.npy"
            do throws(NPYError) {
                try NPY.write(Self.sample, to: path)
                Issue.record("write into a missing directory succeeded")
            } catch {
                guard case let .writeFailed(failedPath, reason) = error else {
                    Issue.record("unexpected \(error)")
                    return
                }
                #expect(failedPath == path)
                #expect(reason.contains("No such file or directory"), "\(reason)")
                #expect(!error.description.contains("\n"))
            }
            #expect(listing(directory).isEmpty)
            #expect(!FileManager.default.fileExists(atPath: directory + "/missing"))
        }
    }

    @Test("writing over an existing file replaces it completely")
    func replacesExisting() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/x.npy"
            try NPY.write(Self.sample, to: path)
            try NPY.write(Self.other, to: path)
            #expect(fileBytes(path) == NPY.encode(Self.other))
            #expect(try NPY.read(contentsOf: path) == Self.other)
            // A longer unrelated file is replaced, not partially overwritten.
            let junk = [UInt8](repeating: 0x41, count: 10_000)
            #expect(FileManager.default.createFile(atPath: path, contents: Data(junk)))
            try NPY.write(Self.sample, to: path)
            #expect(fileBytes(path) == NPY.encode(Self.sample))
            #expect(listing(directory) == ["x.npy"])
        }
    }

    @Test("rename failure (target is a directory) leaves everything intact and no temp file")
    func targetIsDirectory() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/x.npy"
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
            #expect(FileManager.default.createFile(atPath: path + "/keep.txt", contents: Data("keep".utf8)))
            do throws(NPYError) {
                try NPY.write(Self.sample, to: path)
                Issue.record("write over a directory succeeded")
            } catch {
                guard case let .writeFailed(failedPath, reason) = error else {
                    Issue.record("unexpected \(error)")
                    return
                }
                #expect(failedPath == path)
                #expect(reason.hasPrefix("rename failed"), "\(reason)")
            }
            #expect(listing(directory) == ["x.npy"])
            #expect(listing(path) == ["keep.txt"])
            #expect(fileBytes(path + "/keep.txt") == Array("keep".utf8))
        }
    }

    @Test("a failure just before the rename keeps the previous file and removes the temp file")
    func injectedFailure() throws {
        struct Simulated: Error, CustomStringConvertible { var description: String { "simulated failure" } }
        try withTemporaryDirectory { directory in
            let path = directory + "/x.npy"
            try NPY.write(Self.sample, to: path)
            let before = fileBytes(path)
            var temporaryPath = ""
            var temporaryContents: [UInt8]?
            do throws(NPYError) {
                try NPY.write(Self.other, to: path) { temporary in
                    temporaryPath = temporary
                    temporaryContents = fileBytes(temporary)
                    throw Simulated()
                }
                Issue.record("write with a failing hook succeeded")
            } catch {
                #expect(error == .writeFailed(path: path, reason: "simulated failure"))
            }
            // The temp file lived in the same directory and was complete and synced.
            #expect(temporaryPath.hasPrefix(directory + "/.npy-tmp-"))
            #expect(temporaryContents == NPY.encode(Self.other))
            #expect(!FileManager.default.fileExists(atPath: temporaryPath))
            #expect(fileBytes(path) == before)
            #expect(try NPY.read(contentsOf: path) == Self.sample)
            #expect(listing(directory) == ["x.npy"])
        }
    }

    @Test("a read-only directory makes the write fail without touching the old file")
    func readOnlyDirectory() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/x.npy"
            try NPY.write(Self.sample, to: path)
            #expect(chmod(directory, 0o555) == 0)
            defer { _ = chmod(directory, 0o755) }
            // Root (common in containers) ignores directory permissions: then
            // this scenario cannot be simulated and the test ends here.
            let probe = directory + "/probe"
            if FileManager.default.createFile(atPath: probe, contents: Data()) {
                _ = chmod(directory, 0o755)
                try? FileManager.default.removeItem(atPath: probe)
                return
            }
            #expect(throws: NPYError.self) { try NPY.write(Self.other, to: path) }
            #expect(fileBytes(path) == NPY.encode(Self.sample))
            #expect(listing(directory) == ["x.npy"])
        }
    }

    @Test("an array edited out of sync is refused before anything is written")
    func inconsistentArray() throws {
        try withTemporaryDirectory { directory in
            var array = Self.sample
            array.values.append(1)
            #expect(!array.isConsistent)
            #expect(throws: NPYError.shapeMismatch(shape: [3, 4], valueCount: 13)) {
                try NPY.write(array, to: directory + "/x.npy")
            }
            #expect(listing(directory).isEmpty)
            // encode still does not crash; the result is rejected by decode.
            #expect(throws: NPYError.dataLengthMismatch(source: "<bytes>", shape: [3, 4], expectedBytes: 96, actualBytes: 104)) {
                try NPY.decode(NPY.encode(array))
            }
        }
    }

    @Test("paths that do not name a file are refused")
    func badPaths() throws {
        try withTemporaryDirectory { directory in
            for path in [directory + "/", directory + "/.", directory + "/.."] {
                #expect(throws: NPYError.writeFailed(path: path, reason: "the path does not name a file")) {
                    try NPY.write(Self.sample, to: path)
                }
            }
            #expect(listing(directory).isEmpty)
        }
    }
}

// MARK: - NumPy interoperability

/// Runs `python3 -c script args...`; nil if python3 cannot be started.
private func runPython(_ script: String, _ arguments: [String] = []) -> (status: Int32, output: String)? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script] + arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    do {
        try process.run()
    } catch {
        return nil
    }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

private func numpyAvailable() -> Bool {
    runPython("import numpy")?.status == 0
}

@Suite("NPY numpy interoperability")
struct NumPyInteropTests {
    @Test("files written by NPY.write load in numpy with identical values")
    func numpyReadsOurFiles() throws {
        // Optional: without python3 + numpy there is nothing to compare against.
        guard numpyAvailable() else { return }
        let script = """
        import sys, numpy as np
        a = np.load(sys.argv[1])
        print("dtype", a.dtype.str)
        print("fortran", a.flags.f_contiguous and not a.flags.c_contiguous and a.ndim > 1)
        print("shape", " ".join(str(d) for d in a.shape))
        flat = a.ravel(order="C")
        for v, b in zip(flat.tolist(), flat.view("<u8").tolist()):
            print("value", repr(v), format(b, "016x"))
        """
        let arrays: [NPYArray] = [
            try NPYArray(shape: [3, 4], values: [
                -0.0, 1.0 / 3.0, Double("1e-310")!, .infinity, -.infinity, .nan, .pi, 0.1,
                Double(bitPattern: 0x7FF4_DEAD_BEEF_0001), -1e300, .leastNonzeroMagnitude, 123456789.125,
            ]),
            try NPYArray(shape: [], values: [2.5]),
            try NPYArray(shape: [0], values: []),
            try NPYArray(shape: [2, 3, 4], values: (0..<24).map { Double($0) * -0.75 }),
        ]
        try withTemporaryDirectory { directory in
            for (index, array) in arrays.enumerated() {
                let path = directory + "/ours\(index).npy"
                try NPY.write(array, to: path)
                guard let (status, output) = runPython(script, [path]) else {
                    Issue.record("python3 could not be started")
                    return
                }
                #expect(status == 0, "\(output)")
                let lines = output.split(separator: "\n").map(String.init)
                #expect(lines.contains("dtype <f8"), "\(output)")
                #expect(lines.contains("fortran False"), "\(output)")
                let shapeLine = lines.first { $0.hasPrefix("shape") } ?? ""
                let shape = shapeLine.dropFirst(5).split(separator: " ").compactMap { Int($0) }
                #expect(shape == array.shape)
                let valueLines = lines.filter { $0.hasPrefix("value ") }.map { $0.split(separator: " ") }
                #expect(valueLines.count == array.values.count)
                for (line, value) in zip(valueLines, array.values) where line.count == 3 {
                    // numpy's repr round-trips, so parsing it must give our exact value.
                    if value.isNaN {
                        #expect(line[1] == "nan")
                    } else {
                        #expect(Double(String(line[1]))?.bitPattern == value.bitPattern, "\(line[1]) vs \(value)")
                    }
                    #expect(UInt64(line[2], radix: 16) == value.bitPattern)
                }
            }
        }
    }

    @Test("numpy.save output: C-order float64 accepted, everything else rejected")
    func weReadNumpyFiles() throws {
        // Optional: without python3 + numpy there is nothing to compare against.
        guard numpyAvailable() else { return }
        let script = """
        import sys, os, numpy as np
        d = sys.argv[1]
        c = (np.arange(12, dtype="<f8").reshape(3, 4) - 5.5) / 7.0
        c[0, 0] = -0.0; c[0, 1] = np.inf; c[0, 2] = 5e-324; c[0, 3] = np.nan
        np.save(os.path.join(d, "c.npy"), c)
        np.save(os.path.join(d, "fortran.npy"), np.asfortranarray(c))
        np.save(os.path.join(d, "f4.npy"), c.astype("<f4"))
        np.save(os.path.join(d, "be.npy"), c.astype(">f8"))
        np.save(os.path.join(d, "i8.npy"), np.arange(6, dtype="<i8"))
        np.save(os.path.join(d, "scalar.npy"), np.array(2.5))
        np.save(os.path.join(d, "empty.npy"), np.zeros((0, 3)))
        np.save(os.path.join(d, "structured.npy"), np.zeros(2, dtype=[("a", "<f8"), ("b", "<f8")]))
        for major in (2, 3):
            with open(os.path.join(d, "v%d.npy" % major), "wb") as f:
                np.lib.format.write_array(f, c, version=(major, 0))
        for b in c.ravel().view("<u8").tolist():
            print("bits", format(b, "016x"))
        """
        try withTemporaryDirectory { directory in
            guard let (status, output) = runPython(script, [directory]) else {
                Issue.record("python3 could not be started")
                return
            }
            #expect(status == 0, "\(output)")
            let expectedBits = output.split(separator: "\n").filter { $0.hasPrefix("bits ") }
                .compactMap { UInt64($0.dropFirst(5), radix: 16) }
            #expect(expectedBits.count == 12)

            for name in ["c.npy", "v2.npy", "v3.npy"] {
                let array = try NPY.read(contentsOf: directory + "/" + name, expectingDimensions: 2, exactShape: [3, 4])
                #expect(bits(array.values) == expectedBits, "\(name)")
                #expect(array.values[0].sign == .minus && array.values[3].isNaN, "\(name)")
            }
            #expect(fileBytes(directory + "/v2.npy")?[6] == 2)
            #expect(fileBytes(directory + "/v3.npy")?[6] == 3)

            let scalar = try NPY.read(contentsOf: directory + "/scalar.npy")
            #expect(scalar.shape == [] && scalar.values == [2.5])
            let empty = try NPY.read(contentsOf: directory + "/empty.npy")
            #expect(empty.shape == [0, 3] && empty.values.isEmpty)

            let rejected: [(String, NPYError)] = [
                ("fortran.npy", .fortranOrderNotSupported(source: directory + "/fortran.npy")),
                ("f4.npy", .unsupportedDtype(source: directory + "/f4.npy", descr: "'<f4'")),
                ("be.npy", .unsupportedDtype(source: directory + "/be.npy", descr: "'>f8'")),
                ("i8.npy", .unsupportedDtype(source: directory + "/i8.npy", descr: "'<i8'")),
                ("structured.npy", .unsupportedDtype(source: directory + "/structured.npy",
                                                     descr: "[('a', '<f8'), ('b', '<f8')]")),
            ]
            for (name, expected) in rejected {
                #expect(throws: expected, "\(name)") { try NPY.read(contentsOf: directory + "/" + name) }
            }
        }
    }
}
