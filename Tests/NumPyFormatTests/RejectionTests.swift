import Foundation
import Testing
@testable import NumPyFormat

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
