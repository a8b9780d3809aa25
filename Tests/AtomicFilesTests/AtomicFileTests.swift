import AtomicFiles
import Foundation
import Testing

/// ``AtomicFile``: a replaced file is the old one or the complete new one, temporary files never
/// stay behind, and failures name the file.
@Suite("Atomic file replacement")
struct AtomicFileTests {
    /// A fresh directory, removed after `body`.
    func withDirectory(_ body: (String) throws -> Void) throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("atomic-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: path) }
        try body(path)
    }

    @Test("replaces the file and leaves nothing else in the directory")
    func replaces() throws {
        try withDirectory { directory in
            let path = directory + "/report.json"
            try AtomicFile.write("first\n", to: path)
            try AtomicFile.write("second, longer\n", to: path)
            #expect(try String(contentsOfFile: path, encoding: .utf8) == "second, longer\n")
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["report.json"])
        }
    }

    @Test("a failure before the rename keeps the old file and removes the temporary one")
    func failureBeforeRename() throws {
        struct Simulated: Error, CustomStringConvertible { var description: String { "simulated" } }
        try withDirectory { directory in
            let path = directory + "/report.json"
            try AtomicFile.write("old\n", to: path)
            var temporary = ""
            var temporaryText: String?
            #expect(throws: AtomicFileError(path: path, reason: "simulated")) {
                try AtomicFile.write(Array("new\n".utf8), to: path) { name in
                    temporary = name
                    temporaryText = try? String(contentsOfFile: name, encoding: .utf8)
                    throw Simulated()
                }
            }
            // The temporary file was complete, in the same directory, and is gone.
            #expect(temporaryText == "new\n")
            #expect(temporary.hasPrefix(directory + "/.report.json.riccati-\(getpid())-") && temporary.hasSuffix(".tmp"))
            #expect(!FileManager.default.fileExists(atPath: temporary))
            #expect(try String(contentsOfFile: path, encoding: .utf8) == "old\n")
            // Negative control: without the failure the same call replaces the file.
            try AtomicFile.write(Array("new\n".utf8), to: path, beforeRename: nil)
            #expect(try String(contentsOfFile: path, encoding: .utf8) == "new\n")
        }
    }

    @Test("a missing directory or a directory as the target fails and names the file")
    func unusableTargets() throws {
        try withDirectory { directory in
            let missing = directory + "/missing/report.json"
            #expect(throws: AtomicFileError.self) { try AtomicFile.write("x", to: missing) }
            do throws(AtomicFileError) {
                try AtomicFile.write("x", to: missing)
            } catch {
                #expect(error.path == missing && error.reason.hasPrefix("directory '\(directory)/missing' does not exist"))
            }
            try FileManager.default.createDirectory(atPath: directory + "/folder", withIntermediateDirectories: false)
            #expect(throws: AtomicFileError.self) { try AtomicFile.write("x", to: directory + "/folder") }
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["folder"])
        }
    }
}
