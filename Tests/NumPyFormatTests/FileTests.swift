import Foundation
import Testing
@testable import NumPyFormat

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
                #expect(error == .unreadable(path: directory, reason: "is a directory; expected a regular file, a pipe or a FIFO"))
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
                // Refused before a temporary file is made (it used to fail only at the rename).
                #expect(reason == "is a directory; expected a file path", "\(reason)")
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
            #expect(temporaryPath.hasPrefix(directory + "/.x.npy.riccati-") && temporaryPath.hasSuffix(".tmp"))
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
            let reasons = ["the path ends in '/', which names a directory; expected a file name",
                           "is a directory; expected a file path", "is a directory; expected a file path"]
            for (path, reason) in zip([directory + "/", directory + "/.", directory + "/.."], reasons) {
                #expect(throws: NPYError.writeFailed(path: path, reason: reason)) {
                    try NPY.write(Self.sample, to: path)
                }
            }
            #expect(listing(directory).isEmpty)
        }
    }
}
