import Foundation
import NumPyFormat
import Reports
import Testing

/// SHA-256 (FIPS 180-4) and the `config.json` manifest of `--npy-dir`: a consistent set
/// verifies, and every way two runs (or a failed one) can mix files is detected, naming the file.
@Suite("config.json manifest of --npy-dir and SHA-256", .serialized)
struct ArrayManifestTests {
    @Test("SHA-256 matches the FIPS 180-2 example vectors, in one piece and in odd-sized pieces")
    func knownVectors() {
        #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex([UInt8]()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        let twoBlocks = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
        #expect(SHA256.hex(twoBlocks) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        let million = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        #expect(SHA256.hex(million) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
        var pieces = SHA256()
        var offset = 0
        for size in [1, 63, 64, 65, 127, 999_680] {
            pieces.update(million[offset..<(offset + size)])
            offset += size
        }
        #expect(offset == million.count)
        #expect(pieces.hexDigest() == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
        // Control: one byte more changes the digest.
        #expect(SHA256.hex(Array("abcd".utf8)) != "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    static let integrate = ["integrate", "--r", "4", "--rs", "2", "--d", "16", "--t-end", "1"]

    func run(_ arguments: [String], into folder: URL) throws {
        let result = try runRiccati(arguments + ["--npy-dir", folder.path, "--output", folder.appendingPathComponent("report.txt").path], timeout: 60)
        #expect(result.status == 0, "\(result.standardError)")
    }

    func error(_ folder: URL) -> ArrayFilesError? {
        do { _ = try ArrayFiles.verify(directory: folder.path); return nil } catch { return error }
    }

    @Test("a complete run verifies; its manifest lists every .npy file with the size and sha256sum of the bytes")
    func consistentSet() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try run(Self.integrate, into: folder)
        let set = try ArrayFiles.verify(directory: folder.path)
        let npyFiles = try folderContents(folder).filter { $0.hasSuffix(".npy") }
        #expect(set.files.keys.sorted() == npyFiles && npyFiles.contains("risk.npy"))
        #expect(set.runID.count == 32)
        for name in npyFiles {
            let bytes = try Data(contentsOf: folder.appendingPathComponent(name))
            #expect(set.files[name]?.bytes == bytes.count)
            #expect(set.files[name]?.sha256 == SHA256.hex([UInt8](bytes)))
        }
        // The digests are sha256sum's (an independent implementation), when it is installed.
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/sha256sum") {
            let sum = try runProcess(URL(fileURLWithPath: "/usr/bin/sha256sum"), ["risk.npy"], in: folder)
            #expect(sum.standardOutput.hasPrefix(set.files["risk.npy"]?.sha256 ?? "missing"))
        }
        let arrays = try ArrayFiles.load(directory: folder.path)
        #expect(arrays["risk"] == (try NPY.read(contentsOf: folder.appendingPathComponent("risk.npy").path)))
    }

    @Test("two runs into one folder, a file from another run, a truncated file, a stale extra file and a missing manifest are detected")
    func mixedSets() throws {
        let a = try temporaryFolder(), b = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: a); try? FileManager.default.removeItem(at: b) }
        let manager = FileManager.default
        try run(Self.integrate, into: a)
        try run(["integrate", "--r", "4", "--rs", "2", "--d", "16", "--t-end", "2"], into: b)
        #expect(error(a) == nil && error(b) == nil)

        // A file of run B among run A's (same size, other contents).
        let saved = try Data(contentsOf: a.appendingPathComponent("risk.npy"))
        try manager.removeItem(at: a.appendingPathComponent("risk.npy"))
        try manager.copyItem(at: b.appendingPathComponent("risk.npy"), to: a.appendingPathComponent("risk.npy"))
        guard case .checksumMismatch(_, "risk.npy", _, _)? = error(a) else { Issue.record("not detected: \(String(describing: error(a)))"); return }
        try saved.write(to: a.appendingPathComponent("risk.npy"))
        #expect(error(a) == nil)

        // A truncated file.
        let g = a.appendingPathComponent("G.npy")
        let full = try Data(contentsOf: g)
        try full.dropLast(8).write(to: g)
        guard case .sizeMismatch(_, "G.npy", full.count, full.count - 8)? = error(a) else { Issue.record("not detected: \(String(describing: error(a)))"); return }
        try full.write(to: g)

        // A stale extra file.
        try manager.copyItem(at: b.appendingPathComponent("times.npy"), to: a.appendingPathComponent("old_times.npy"))
        guard case .unlistedFile(_, "old_times.npy", _)? = error(a) else { Issue.record("not detected: \(String(describing: error(a)))"); return }
        try manager.removeItem(at: a.appendingPathComponent("old_times.npy"))
        #expect(error(a) == nil)

        // Two commands into one folder: sgd writes other arrays; integrate's escape_times.npy,
        // k_spectrum.npy, learned.npy and risk_floor.npy stay behind (the first, sorted, is named).
        try run(["sgd", "--d", "16", "--r", "2", "--rs", "2", "--batch", "8", "--lr", "0.05"], into: a)
        guard case .unlistedFile(_, "escape_times.npy", _)? = error(a) else { Issue.record("not detected: \(String(describing: error(a)))"); return }

        // No manifest (the last run did not finish).
        try manager.removeItem(at: b.appendingPathComponent("config.json"))
        #expect(error(b) == .missingManifest(directory: b.path))
        // A listed file that is gone.
        try run(Self.integrate, into: b)
        try manager.removeItem(at: b.appendingPathComponent("M.npy"))
        #expect(error(b) == .missingFile(directory: b.path, name: "M.npy"))
    }
}
