import AtomicFiles

/// Reading and writing NumPy `.npy` files holding C-ordered little-endian
/// float64 arrays.
///
/// File layout (NumPy format versions 1.0, 2.0 and 3.0):
/// ```
/// offset 0   "\x93NUMPY"                  magic string (6 bytes)
/// offset 6   major, minor                 version bytes: 1.0, 2.0 or 3.0
/// offset 8   header length                UInt16 LE (v1) or UInt32 LE (v2, v3)
/// then       header                       {'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }
///                                         padded with spaces, last byte '\n';
///                                         ASCII (v1, v2) or UTF-8 (v3)
/// then       data                         product(shape) float64 values, little-endian, C order
/// ```
///
/// Reading is strict: only `descr == '<f8'`, `fortran_order == False` and a
/// tuple `shape` of non-negative integers are accepted, the header must contain
/// exactly those three keys (any order), and the data must be exactly
/// `product(shape) * 8` bytes. Every violation throws a specific ``NPYError``;
/// malformed input never traps, overflows or reads out of bounds.
///
/// Writing always produces what `numpy.save` produces for a C-contiguous
/// float64 array: version 1.0, `'<f8'`, `fortran_order: False`, the header padded
/// so the data starts at a multiple of 64 bytes.
public enum NPY {
    /// The magic string every `.npy` file starts with.
    static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // \x93NUMPY

    /// The data section is aligned to this many bytes by ``encode(_:)``.
    public static let alignment = 64

    /// The only accepted and produced dtype descriptor: little-endian float64.
    public static let dtypeDescriptor = "<f8"

    // MARK: - Decoding

    /// Parses the bytes of a `.npy` file.
    ///
    /// - Parameters:
    ///   - data: the complete file contents.
    ///   - source: name used in error messages, normally the file name.
    /// - Returns: the array; `values` are the raw float64 bit patterns (NaN and
    ///   infinities are returned as is; callers validate finiteness).
    /// - Throws: an ``NPYError`` describing the first problem found: magic,
    ///   version, truncation, header syntax/encoding, keys, dtype, order, shape,
    ///   size overflow, or data length (short *or* trailing bytes).
    /// - Complexity: O(header length + data length); the data is bulk-copied.
    public static func decode(_ data: [UInt8], source: String = "<bytes>") throws(NPYError) -> NPYArray {
        let (dataStart, shape, elementCount, byteCount) = try layout(data, source: source)
        let available = data.count - dataStart
        guard available == byteCount else {
            throw .dataLengthMismatch(source: source, shape: shape, expectedBytes: byteCount, actualBytes: available)
        }

        let values = [Double](unsafeUninitializedCapacity: elementCount) { buffer, initialized in
            if elementCount > 0 {
                data.withUnsafeBytes { raw in
                    let payload = UnsafeRawBufferPointer(rebasing: raw[dataStart..<(dataStart + byteCount)])
                    #if _endian(little)
                    UnsafeMutableRawBufferPointer(buffer).copyMemory(from: payload)
                    #else
                    for i in 0..<elementCount {
                        let bits = payload.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self)
                        buffer[i] = Double(bitPattern: UInt64(littleEndian: bits))
                    }
                    #endif
                }
            }
            initialized = elementCount
        }
        return NPYArray(validatedShape: shape, values: values)
    }

    /// The fixed part and the header of `data` (which must hold at least both): where the data
    /// starts, the shape, the element count and the declared data size, all checked.
    static func layout(_ data: [UInt8], source: String) throws(NPYError)
        -> (dataStart: Int, shape: [Int], elementCount: Int, byteCount: Int) {
        let count = data.count

        // Magic string and version.
        let magicPresent = min(count, magic.count)
        guard data[0..<magicPresent].elementsEqual(magic[0..<magicPresent]) else {
            throw .badMagic(source: source, found: Array(data.prefix(magic.count)))
        }
        guard count >= magic.count else {
            throw .truncated(source: source, part: "magic string", needed: magic.count, available: count)
        }
        guard count >= 8 else {
            throw .truncated(source: source, part: "version", needed: 8, available: count)
        }
        let major = data[6]
        let minor = data[7]
        guard (1...3).contains(major), minor == 0 else {
            throw .unsupportedVersion(source: source, major: major, minor: minor)
        }

        // Header length (little-endian UInt16 for v1, UInt32 for v2/v3).
        let lengthSize = major == 1 ? 2 : 4
        let prefixLength = 8 + lengthSize
        guard count >= prefixLength else {
            throw .truncated(source: source, part: "header length", needed: prefixLength, available: count)
        }
        var headerLength = 0
        for i in stride(from: lengthSize - 1, through: 0, by: -1) {
            headerLength = headerLength << 8 | Int(data[8 + i])  // at most 2^32 - 1: no overflow
        }
        guard headerLength <= count - prefixLength else {
            throw .truncated(source: source, part: "header", needed: prefixLength + headerLength, available: count)
        }
        let dataStart = prefixLength + headerLength
        guard headerLength > 0, data[dataStart - 1] == 0x0A else {
            throw .headerNotTerminated(source: source)
        }
        let headerBytes = Array(data[prefixLength..<(dataStart - 1)])

        // Encoding: ASCII for v1/v2, UTF-8 for v3.
        if major < 3 {
            guard headerBytes.allSatisfy({ $0 < 0x80 }) else {
                throw .invalidHeaderEncoding(source: source, major: major)
            }
        } else if headerBytes.contains(where: { $0 >= 0x80 }) {
            // Decoding replaces invalid sequences with U+FFFD, changing the bytes.
            guard Array(String(decoding: headerBytes, as: UTF8.self).utf8) == headerBytes else {
                throw .invalidHeaderEncoding(source: source, major: major)
            }
        }

        var parser = HeaderParser(bytes: headerBytes, source: source)
        let entries = try parser.parseDictionary()
        let header = try checkKeys(entries, source: source)
        let shape = try validate(header, source: source)

        // Sizes, with overflow checks.
        guard let elementCount = NPYArray.elementCount(of: shape) else {
            throw .sizeOverflow(source: source, shape: shape)
        }
        let (byteCount, overflow) = elementCount.multipliedReportingOverflow(by: 8)
        guard !overflow else {
            throw .sizeOverflow(source: source, shape: shape)
        }
        return (dataStart, shape, elementCount, byteCount)
    }

    private static let requiredKeys = ["descr", "fortran_order", "shape"]

    /// Rejects duplicate, unknown and missing keys; returns the values by key.
    private static func checkKeys(
        _ entries: [(key: String, value: HeaderValue)], source: String
    ) throws(NPYError) -> [String: HeaderValue] {
        var header: [String: HeaderValue] = [:]
        for (key, value) in entries {
            guard header[key] == nil else { throw .duplicateKey(source: source, key: key) }
            guard requiredKeys.contains(key) else { throw .unknownKey(source: source, key: key) }
            header[key] = value
        }
        for key in requiredKeys where header[key] == nil {
            throw .missingKey(source: source, key: key)
        }
        return header
    }

    /// Checks `descr`, `fortran_order` and `shape`; returns the shape.
    private static func validate(_ header: [String: HeaderValue], source: String) throws(NPYError) -> [Int] {
        guard let descr = header["descr"], let order = header["fortran_order"],
              let shapeValue = header["shape"] else {
            throw .missingKey(source: source, key: "descr")  // unreachable after checkKeys
        }
        guard descr == .string(dtypeDescriptor) else {
            throw .unsupportedDtype(source: source, descr: descr.excerpt)
        }
        switch order {
        case .bool(false): break
        case .bool(true): throw .fortranOrderNotSupported(source: source)
        default: throw .invalidFortranOrder(source: source, found: order.excerpt)
        }
        guard case let .tuple(items) = shapeValue else {
            throw .invalidShape(source: source, found: shapeValue.excerpt, reason: "shape must be a tuple")
        }
        var shape: [Int] = []
        shape.reserveCapacity(items.count)
        for item in items {
            guard case let .integer(text) = item else {
                throw .invalidShape(source: source, found: shapeValue.excerpt, reason: "dimension \(item.excerpt) is not an integer")
            }
            guard let dimension = Int(text) else {
                throw .invalidShape(source: source, found: shapeValue.excerpt, reason: "dimension \(text) is too large")
            }
            guard dimension >= 0 else {
                throw .invalidShape(source: source, found: shapeValue.excerpt, reason: "dimension \(text) is negative")
            }
            shape.append(dimension)
        }
        return shape
    }

    // MARK: - Encoding

    /// Serializes `array` exactly as `numpy.save` would a C-contiguous float64 array.
    ///
    /// The result is format version 1.0 with the header
    /// `{'descr': '<f8', 'fortran_order': False, 'shape': (...), }`, padded with
    /// spaces and terminated by `'\n'` so that the data starts at a multiple of
    /// ``alignment`` (64) bytes, followed by the values as little-endian float64
    /// bit patterns (NaN payloads, signed zeros and subnormals are preserved).
    /// Only if the header would exceed 65535 bytes (a shape with thousands of
    /// dimensions) is version 2.0 used instead, as NumPy does.
    ///
    /// `array` should be consistent (see ``NPYArray/isConsistent``); if its
    /// properties were edited out of sync, the header still records `shape` and
    /// all `values` are written, which ``decode(_:source:)`` then rejects.
    /// ``write(_:to:)`` checks consistency before writing.
    public static func encode(_ array: NPYArray) -> [UInt8] {
        let dictionary = Array(
            "{'descr': '\(dtypeDescriptor)', 'fortran_order': False, 'shape': \(pythonTuple(array.shape)), }".utf8)

        func headerLength(prefixLength: Int) -> (padding: Int, length: Int) {
            let unpadded = prefixLength + dictionary.count + 1  // + '\n'
            let padding = (alignment - unpadded % alignment) % alignment
            return (padding, dictionary.count + padding + 1)
        }
        var major: UInt8 = 1
        var lengthSize = 2
        var (padding, length) = headerLength(prefixLength: 10)
        if length > Int(UInt16.max) {
            major = 2
            lengthSize = 4
            (padding, length) = headerLength(prefixLength: 12)
        }

        var out: [UInt8] = []
        out.reserveCapacity(8 + lengthSize + length + array.values.count * 8)
        out.append(contentsOf: magic)
        out.append(major)
        out.append(0)
        for i in 0..<lengthSize {
            out.append(UInt8(truncatingIfNeeded: length >> (8 * i)))
        }
        out.append(contentsOf: dictionary)
        out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: padding))
        out.append(UInt8(ascii: "\n"))
        #if _endian(little)
        array.values.withUnsafeBytes { out.append(contentsOf: $0) }
        #else
        for value in array.values {
            let bits = value.bitPattern.littleEndian
            for i in 0..<8 { out.append(UInt8(truncatingIfNeeded: bits >> (8 * i))) }
        }
        #endif
        return out
    }

    // MARK: - Files

    /// The longest header ``read(contentsOf:maximumDataBytes:shouldStop:)`` accepts: 1 MiB.
    /// The format allows up to 4 GiB (version 2.0 and 3.0 length fields), but NumPy itself
    /// refuses headers over 10 000 bytes by default and writes more than 64 KiB only for
    /// arrays with thousands of dimensions; ``encode(_:)``'s own headers stay far below this.
    public static let maximumHeaderLength = 1 << 20

    /// Reads and decodes the `.npy` file at `path` (see ``decode(_:source:)``), reading no more
    /// than the file's header declares.
    ///
    /// - A regular file, or a pipe or FIFO (`<(cat x.npy)`, `/dev/stdin` as a pipe), is read;
    ///   a device (`/dev/zero`, a terminal), a socket or a directory is refused before it is
    ///   opened (``NPYError/unreadable(path:reason:)``).
    /// - The fixed part and the header (at most ``maximumHeaderLength`` bytes) are read first;
    ///   then exactly the declared `product(shape) × 8` data bytes, plus one byte to detect
    ///   trailing data. A regular file whose size disagrees with its header is refused from its
    ///   size alone, a stream that goes on past the declared size with
    ///   ``NPYError/trailingData(source:shape:expectedBytes:)``. Memory grows with the bytes
    ///   actually received, never with a declared size.
    /// - `maximumDataBytes`: a header declaring more is refused
    ///   (``NPYError/dataTooLarge(source:shape:declaredBytes:limit:)``) before any data is read.
    /// - `shouldStop`: consulted when a signal interrupts the wait for a FIFO's writer or data
    ///   (a handler installed without `SA_RESTART`); `true` throws ``NPYError/interrupted(path:)``.
    ///
    /// Errors name the file by `path` as given.
    public static func read(contentsOf path: String, maximumDataBytes: Int = Int.max,
                            shouldStop: (() -> Bool)? = nil) throws(NPYError) -> NPYArray {
        func mapped(_ error: InputFileError) -> NPYError {
            error.isInterrupted ? .interrupted(path: path) : .unreadable(path: path, reason: error.reason)
        }
        let file: InputFile
        do {
            file = try InputFile(opening: path, shouldStop: shouldStop)
        } catch {
            throw mapped(error)
        }
        var bytes: [UInt8] = []
        func fill(_ count: Int) throws(NPYError) {
            do { try file.read(into: &bytes, upTo: count) } catch { throw mapped(error) }
        }
        // Magic, version and the shorter (version 1.0) length field; `decode` reports anything
        // short or wrong in them.
        try fill(10)
        guard bytes.count == 10, bytes[0..<6].elementsEqual(magic), (1...3).contains(bytes[6]), bytes[7] == 0 else {
            return try decode(bytes, source: path)
        }
        let lengthSize = bytes[6] == 1 ? 2 : 4
        try fill(8 + lengthSize)
        guard bytes.count == 8 + lengthSize else { return try decode(bytes, source: path) }
        var headerLength = 0
        for i in stride(from: lengthSize - 1, through: 0, by: -1) {
            headerLength = headerLength << 8 | Int(bytes[8 + i])
        }
        guard headerLength <= maximumHeaderLength else {
            throw .headerTooLong(source: path, length: headerLength, limit: maximumHeaderLength)
        }
        let dataStart = 8 + lengthSize + headerLength
        try fill(dataStart)
        guard bytes.count == dataStart else { return try decode(bytes, source: path) }
        let (_, shape, _, byteCount) = try layout(bytes, source: path)
        guard byteCount <= maximumDataBytes else {
            throw .dataTooLarge(source: path, shape: shape, declaredBytes: byteCount, limit: maximumDataBytes)
        }
        if let size = file.size, size - dataStart != byteCount {
            throw .dataLengthMismatch(source: path, shape: shape, expectedBytes: byteCount, actualBytes: size - dataStart)
        }
        let (end, overflow) = dataStart.addingReportingOverflow(byteCount)
        guard !overflow, end < Int.max else { throw .sizeOverflow(source: path, shape: shape) }
        try fill(end + 1)
        guard bytes.count <= end else {
            throw .trailingData(source: path, shape: shape, expectedBytes: byteCount)
        }
        return try decode(bytes, source: path)
    }

    /// Reads a file and checks its dimensionality, as callers expecting e.g. a
    /// matrix do.
    ///
    /// - Parameters:
    ///   - ndim: required number of dimensions (`0` for a scalar, `2` for a matrix).
    ///   - exactShape: optionally the required extent of each dimension; `nil`
    ///     entries accept any extent, e.g. `[3, nil]` means "3 rows, any columns".
    /// - Throws: everything ``read(contentsOf:)`` throws, then
    ///   ``NPYError/dimensionMismatch(source:expected:shape:)`` if
    ///   `shape.count != ndim`, then
    ///   ``NPYError/unexpectedShape(source:expected:shape:)`` if `exactShape` is
    ///   given and does not match.
    public static func read(
        contentsOf path: String, expectingDimensions ndim: Int, exactShape: [Int?]? = nil
    ) throws(NPYError) -> NPYArray {
        let array = try read(contentsOf: path)
        guard array.shape.count == ndim else {
            throw .dimensionMismatch(source: path, expected: ndim, shape: array.shape)
        }
        if let exactShape {
            let matches = exactShape.count == array.shape.count
                && zip(exactShape, array.shape).allSatisfy { expected, actual in expected.map { $0 == actual } ?? true }
            guard matches else {
                throw .unexpectedShape(source: path, expected: exactShape, shape: array.shape)
            }
        }
        return array
    }

    /// Atomically writes `array` to `path` in the format of ``encode(_:)``.
    ///
    /// The bytes go to a new temporary file in the same directory as `path`
    /// (named `.<name>.riccati-<pid>-<token>.tmp`, see ``AtomicFile``), which is
    /// flushed with `fsync` and then moved over `path` with `rename(2)`; the
    /// directory is then synced (best effort). Readers therefore see either the
    /// old file or the complete new one. On any failure the temporary file is
    /// removed, `path` is untouched and an error is thrown. If `path` is a
    /// symbolic link to a regular file, its target is replaced and the link
    /// stays; an existing `path` that is not a regular file (a device, a FIFO)
    /// is refused. A new file gets mode 0644 (minus the umask), a replaced one
    /// keeps its permission bits.
    ///
    /// - Throws: ``NPYError/shapeMismatch(shape:valueCount:)`` if `array` is
    ///   inconsistent (nothing is written), ``NPYError/writeFailed(path:reason:)``
    ///   for any file-system failure (missing directory, permissions, full disk,
    ///   `path` being a directory, ...).
    public static func write(_ array: NPYArray, to path: String) throws(NPYError) {
        try write(array, to: path, beforeRename: nil)
    }

    /// ``write(_:to:)`` with a test hook that runs after the temporary file has
    /// been written and synced, just before the rename; it receives the temporary
    /// path, and throwing from it simulates a failure at that point.
    static func write(
        _ array: NPYArray, to path: String, beforeRename hook: ((String) throws -> Void)?
    ) throws(NPYError) {
        guard array.isConsistent else {
            throw .shapeMismatch(shape: array.shape, valueCount: array.values.count)
        }
        do {
            try AtomicFile.write(encode(array), to: path, beforeRename: hook)
        } catch {
            throw .writeFailed(path: path, reason: error.reason)
        }
    }
}
