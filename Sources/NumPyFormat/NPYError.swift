/// Every way reading, validating or writing a `.npy` file can fail.
///
/// Conventions:
/// - `source` / `path` is the name used in messages: the path given to
///   ``NPY/read(contentsOf:)`` or ``NPY/write(_:to:)``, or the `source`
///   argument of ``NPY/decode(_:source:)`` (default `"<bytes>"`).
/// - ``description`` is always a single line of the form
///   `"<source>: <what is wrong>; expected <the accepted form>"`. Control
///   characters coming from file names or file contents are escaped and long
///   excerpts are shortened, so the message is safe to print or log.
/// - Values quoted from a header (`descr`, `found`) are rendered as Python
///   literals, e.g. `"'<i8'"`, `"True"`, `"(3, -1)"`.
public enum NPYError: Error, CustomStringConvertible, Equatable {
    /// The file could not be opened or read (missing, a directory, no permission,
    /// I/O error). `reason` is the operating system's explanation.
    case unreadable(path: String, reason: String)

    /// Writing failed (missing directory, no permission, disk full, rename
    /// failure, ...). The target was left untouched and no temporary file remains.
    case writeFailed(path: String, reason: String)

    /// The data does not start with the magic string `\x93NUMPY`. `found` holds
    /// the first (up to 6) bytes actually present.
    case badMagic(source: String, found: [UInt8])

    /// The data ends inside a fixed-size part of the file. `part` is one of
    /// `"magic string"`, `"version"`, `"header length"` or `"header"`; `needed` is
    /// the byte count the file must have at least, `available` what it has.
    case truncated(source: String, part: String, needed: Int, available: Int)

    /// The format version is not 1.0, 2.0 or 3.0.
    case unsupportedVersion(source: String, major: UInt8, minor: UInt8)

    /// The header is empty or its last byte is not `'\n'`.
    case headerNotTerminated(source: String)

    /// Version 1.0/2.0 header with a non-ASCII byte, or version 3.0 header that is
    /// not valid UTF-8. `major` is the format version's major number.
    case invalidHeaderEncoding(source: String, major: UInt8)

    /// The header is not a Python dict literal of the supported subset
    /// (strings, `True`/`False`, integers, tuples, lists). `reason` says what was
    /// found and where (byte offset within the header text).
    case malformedHeader(source: String, reason: String)

    /// One of `'descr'`, `'fortran_order'`, `'shape'` is absent.
    case missingKey(source: String, key: String)

    /// A key occurs more than once in the header dict.
    case duplicateKey(source: String, key: String)

    /// The header dict has a key other than `'descr'`, `'fortran_order'`, `'shape'`.
    case unknownKey(source: String, key: String)

    /// `descr` is anything but the string `'<f8'` (little-endian float64): other
    /// byte orders, other types, structured (list) dtypes, non-strings.
    /// `descr` is the header value rendered as a Python literal.
    case unsupportedDtype(source: String, descr: String)

    /// `fortran_order` is `True`; only C (row-major) order is supported.
    case fortranOrderNotSupported(source: String)

    /// `fortran_order` is neither `True` nor `False`; `found` is its Python literal.
    case invalidFortranOrder(source: String, found: String)

    /// `shape` is not a tuple of non-negative integers that fit in `Int`.
    /// `found` is the value as a Python literal, `reason` the specific problem.
    case invalidShape(source: String, found: String, reason: String)

    /// The number of elements, or the number of data bytes (elements × 8),
    /// overflows `Int`.
    case sizeOverflow(source: String, shape: [Int])

    /// The data section after the header is not exactly `expectedBytes`
    /// (= product(shape) × 8) long; both short and over-long data are rejected.
    case dataLengthMismatch(source: String, shape: [Int], expectedBytes: Int, actualBytes: Int)

    /// ``NPY/read(contentsOf:maximumDataBytes:shouldStop:)``: a pipe or FIFO sent more bytes
    /// than the header declares (`expectedBytes` of data); only the first byte past them is read.
    case trailingData(source: String, shape: [Int], expectedBytes: Int)

    /// ``NPY/read(contentsOf:maximumDataBytes:shouldStop:)``: the header declares more data
    /// bytes than the caller's limit; nothing past the header was read.
    case dataTooLarge(source: String, shape: [Int], declaredBytes: Int, limit: Int)

    /// ``NPY/read(contentsOf:maximumDataBytes:shouldStop:)``: the header length field exceeds
    /// ``NPY/maximumHeaderLength``.
    case headerTooLong(source: String, length: Int, limit: Int)

    /// ``NPY/read(contentsOf:maximumDataBytes:shouldStop:)``: a signal interrupted the wait for
    /// a FIFO's writer or data and the stop check asked to give up.
    case interrupted(path: String)

    /// ``NPYArray/init(shape:values:)`` (or writing an inconsistent array): a
    /// dimension is negative, the product overflows, or it differs from
    /// `valueCount`.
    case shapeMismatch(shape: [Int], valueCount: Int)

    /// ``NPY/read(contentsOf:expectingDimensions:exactShape:)``: the array has
    /// `shape.count` dimensions instead of `expected`.
    case dimensionMismatch(source: String, expected: Int, shape: [Int])

    /// ``NPY/read(contentsOf:expectingDimensions:exactShape:)``: the array's shape
    /// does not match `expected`, where `nil` entries match any extent.
    case unexpectedShape(source: String, expected: [Int?], shape: [Int])

    /// One-line, human-readable message naming the file (when known) and the
    /// expected form.
    public var description: String {
        let dtypeHint = "expected little-endian float64 ('<f8')"
        let keysHint = "'descr', 'fortran_order' and 'shape'"
        switch self {
        case let .unreadable(path, reason):
            return "\(Self.clean(path)): cannot read file (\(Self.clean(reason))); expected a readable .npy file"
        case let .writeFailed(path, reason):
            return "\(Self.clean(path)): cannot write file (\(Self.clean(reason))); expected a writable path in an existing directory"
        case let .badMagic(source, found):
            let shown = found.isEmpty ? "no bytes" : "bytes " + Self.escapedBytes(found)
            return "\(Self.clean(source)): not a .npy file (starts with \(shown)); expected the magic string \\x93NUMPY at offset 0"
        case let .truncated(source, part, needed, available):
            return "\(Self.clean(source)): file is truncated in the \(part) (needs at least \(needed) bytes, has \(available)); expected a complete .npy file"
        case let .unsupportedVersion(source, major, minor):
            return "\(Self.clean(source)): .npy format version \(major).\(minor) is not supported; expected version 1.0, 2.0 or 3.0"
        case let .headerNotTerminated(source):
            return "\(Self.clean(source)): header does not end with a newline; expected a space-padded header terminated by '\\n'"
        case let .invalidHeaderEncoding(source, major):
            if major >= 3 {
                return "\(Self.clean(source)): header is not valid UTF-8; expected a UTF-8 header for format version 3.0"
            }
            return "\(Self.clean(source)): header contains non-ASCII bytes; expected an ASCII header for format version \(major).0"
        case let .malformedHeader(source, reason):
            return "\(Self.clean(source)): malformed header: \(Self.clean(reason)); expected a Python dict literal like {'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }"
        case let .missingKey(source, key):
            return "\(Self.clean(source)): header is missing the key '\(Self.clean(key))'; expected exactly the keys \(keysHint)"
        case let .duplicateKey(source, key):
            return "\(Self.clean(source)): header repeats the key '\(Self.clean(key))'; expected each of \(keysHint) exactly once"
        case let .unknownKey(source, key):
            return "\(Self.clean(source)): header has the unknown key '\(Self.clean(key))'; expected only the keys \(keysHint)"
        case let .unsupportedDtype(source, descr):
            return "\(Self.clean(source)): dtype \(Self.clean(descr)) is not supported; \(dtypeHint)"
        case let .fortranOrderNotSupported(source):
            return "\(Self.clean(source)): Fortran (column-major) order is not supported; expected C order ('fortran_order': False)"
        case let .invalidFortranOrder(source, found):
            return "\(Self.clean(source)): fortran_order is \(Self.clean(found)), not a boolean; expected False (C order)"
        case let .invalidShape(source, found, reason):
            return "\(Self.clean(source)): invalid shape \(Self.clean(found)) (\(Self.clean(reason))); expected a tuple of non-negative integers such as (3, 4), (5,) or ()"
        case let .sizeOverflow(source, shape):
            return "\(Self.clean(source)): shape \(Self.clean(pythonTuple(shape))) has too many elements to address; expected at most \(Int.max / 8) float64 elements"
        case let .dataLengthMismatch(source, shape, expectedBytes, actualBytes):
            return "\(Self.clean(source)): data section has \(actualBytes) bytes; expected exactly \(expectedBytes) bytes (\(Self.clean(pythonTuple(shape))) float64 values) after the header"
        case let .trailingData(source, shape, expectedBytes):
            return "\(Self.clean(source)): holds more than the \(expectedBytes) data bytes its header declares (\(Self.clean(pythonTuple(shape))) float64 values); expected exactly that many after the header"
        case let .dataTooLarge(source, shape, declaredBytes, limit):
            return "\(Self.clean(source)): header declares shape \(Self.clean(pythonTuple(shape))), \(declaredBytes) data bytes; expected at most \(limit) bytes"
        case let .headerTooLong(source, length, limit):
            return "\(Self.clean(source)): header length field says \(length) bytes; expected at most \(limit)"
        case let .interrupted(path):
            return "\(Self.clean(path)): interrupted by a signal while waiting for the file's data"
        case let .shapeMismatch(shape, valueCount):
            return "shape \(Self.clean(pythonTuple(shape))) does not fit \(valueCount) values; expected non-negative dimensions whose product equals the number of values"
        case let .dimensionMismatch(source, expected, shape):
            return "\(Self.clean(source)): array has \(shape.count) dimension(s), shape \(Self.clean(pythonTuple(shape))); expected \(expected) dimension(s)"
        case let .unexpectedShape(source, expected, shape):
            let pattern = Self.clean(pythonTuple(expected.map { $0.map(String.init) ?? "_" }))
            return "\(Self.clean(source)): array has shape \(Self.clean(pythonTuple(shape))); expected shape \(pattern) (_ = any extent)"
        }
    }

    /// Escapes control characters (so the message stays on one line) and shortens
    /// text longer than 120 characters.
    static func clean(_ text: String) -> String {
        var out = ""
        var count = 0
        for scalar in text.unicodeScalars {
            if count >= 120 {
                out += "..."
                break
            }
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || (scalar.value >= 0x7F && scalar.value < 0xA0)
                    || scalar.value == 0x2028 || scalar.value == 0x2029 {
                    out += "\\u{\(String(scalar.value, radix: 16))}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
            count += 1
        }
        return out
    }

    /// Renders bytes as a Python-like byte string body, e.g. `\x93NUMPZ`.
    static func escapedBytes(_ bytes: [UInt8]) -> String {
        var out = ""
        for byte in bytes {
            if byte >= 0x20 && byte < 0x7F && byte != UInt8(ascii: "\\") {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                let hex = String(byte, radix: 16)
                out += "\\x" + (hex.count < 2 ? "0" + hex : hex)
            }
        }
        return out
    }
}

/// Python tuple repr of the given items: `()`, `(5,)`, `(3, 4)`.
func pythonTuple<T>(_ items: [T]) -> String {
    switch items.count {
    case 0: return "()"
    case 1: return "(\(items[0]),)"
    default: return "(" + items.map { "\($0)" }.joined(separator: ", ") + ")"
    }
}
