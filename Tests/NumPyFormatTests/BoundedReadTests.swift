import Foundation
import Testing
@testable import NumPyFormat

/// ``NPY/read(contentsOf:maximumDataBytes:shouldStop:)``: what is read is bounded by the header
/// (never by the stream), devices are refused unopened, pipes and FIFOs are read.
@Suite("Bounded .npy reading", .serialized)
struct BoundedReadTests {
    static let array = NPYArray(validatedShape: [2, 3], values: [0, 1, 2, 3, 4, 5])
    static let bytes = NPY.encode(array)

    func withDirectory(_ body: (String) throws -> Void) throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("bounded-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: path) }
        try body(path)
    }

    /// Reads `fifo` while a thread writes `bytes` into it (and `endless` zeros after them if set).
    func readThroughFIFO(_ bytes: [UInt8], endless: Bool = false, in directory: String,
                         maximumDataBytes: Int = .max) -> Result<NPYArray, NPYError> {
        let fifo = directory + "/in-\(UUID().uuidString).fifo"
        guard mkfifo(fifo, 0o600) == 0 else { return .failure(.unreadable(path: fifo, reason: "mkfifo failed")) }
        let writer = Thread {
            signal(SIGPIPE, SIG_IGN)
            let descriptor = open(fifo, O_WRONLY)
            guard descriptor >= 0 else { return }
            defer { close(descriptor) }
            _ = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            guard endless else { return }
            let zeros = [UInt8](repeating: 0, count: 65_536)
            // Ends when the reader closes its end (EPIPE).
            while zeros.withUnsafeBytes({ write(descriptor, $0.baseAddress, $0.count) }) > 0 {}
        }
        writer.start()
        return Result { () throws(NPYError) in try NPY.read(contentsOf: fifo, maximumDataBytes: maximumDataBytes) }
    }

    @Test("a FIFO holding a valid file is read (like <(cat x.npy))")
    func fifoValid() throws {
        try withDirectory { directory in
            let result = readThroughFIFO(Self.bytes, in: directory)
            if case .success(let array) = result { #expect(array == Self.array) } else { Issue.record("got \(result)") }
        }
    }

    @Test("an endless stream after a valid header is refused after the declared size plus one byte")
    func endlessStream() throws {
        try withDirectory { directory in
            let result = readThroughFIFO(Self.bytes, endless: true, in: directory)
            if case .failure(.trailingData(_, let shape, let expected)) = result {
                #expect(shape == [2, 3] && expected == 48)
            } else {
                Issue.record("expected trailingData, got \(result)")
            }
        }
    }

    @Test("a stream that ends early is a data length mismatch; a declared size beyond the limit is refused unread")
    func shortAndLarge() throws {
        try withDirectory { directory in
            let short = readThroughFIFO(Array(Self.bytes.dropLast(8)), in: directory)
            if case .failure(.dataLengthMismatch(_, _, 48, 40)) = short {} else { Issue.record("got \(short)") }
            // A header declaring 10^12 doubles, with 8 bytes behind it: refused from the header.
            let huge = npy(headerBytes: Array(dict(shape: "(1000000000000,)").utf8), payload: littleEndianBytes([1]))
            let large = readThroughFIFO(huge, in: directory, maximumDataBytes: 1 << 30)
            if case .failure(.dataTooLarge(_, [1_000_000_000_000], 8_000_000_000_000, 1 << 30)) = large {} else { Issue.record("got \(large)") }
            // Without a limit the stream's own end decides, and memory grows only with what came.
            let unlimited = readThroughFIFO(huge, in: directory)
            if case .failure(.dataLengthMismatch(_, _, 8_000_000_000_000, _)) = unlimited {} else { Issue.record("got \(unlimited)") }
        }
    }

    @Test("a regular file with trailing bytes is refused from its size; a valid one is read (control)")
    func regularFile() throws {
        try withDirectory { directory in
            let path = directory + "/x.npy"
            try Data(Self.bytes + [1, 2, 3]).write(to: URL(fileURLWithPath: path))
            #expect(throws: NPYError.dataLengthMismatch(source: path, shape: [2, 3], expectedBytes: 48, actualBytes: 51)) {
                try NPY.read(contentsOf: path)
            }
            try Data(Self.bytes).write(to: URL(fileURLWithPath: path))
            #expect(try NPY.read(contentsOf: path) == Self.array)
        }
    }

    @Test("devices and directories are refused unopened, with one line naming the kind")
    func devices() throws {
        #expect(throws: NPYError.unreadable(path: "/dev/zero", reason: "is a character device; expected a regular file, a pipe or a FIFO")) {
            try NPY.read(contentsOf: "/dev/zero")
        }
        #expect(throws: NPYError.unreadable(path: "/", reason: "is a directory; expected a regular file, a pipe or a FIFO")) {
            try NPY.read(contentsOf: "/")
        }
    }

    @Test("a header length beyond 1 MiB is refused before the header is read")
    func longHeader() throws {
        try withDirectory { directory in
            let path = directory + "/h.npy"
            try Data(magicBytes + [2, 0, 0, 0, 0, 0x80] + Array("{".utf8)).write(to: URL(fileURLWithPath: path))
            #expect(throws: NPYError.headerTooLong(source: path, length: 0x8000_0000, limit: 1 << 20)) {
                try NPY.read(contentsOf: path)
            }
        }
    }
}
