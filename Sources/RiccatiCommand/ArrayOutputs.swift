import Foundation
import Reports

/// `--npy-dir DIR`: where the arrays of ``ArrayFiles`` go (names and shapes documented there).
struct ArrayDirectory {
    let path: String

    /// Checks, before any work, that `path` is an existing, writable directory.
    init(path: String) throws(CommandFailure) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .badInput("--npy-dir \(path): directory does not exist (create it first)")
        }
        guard isDirectory.boolValue else { throw .badInput("--npy-dir \(path): not a directory") }
        guard FileManager.default.isWritableFile(atPath: path) else {
            throw .badInput("--npy-dir \(path): directory is not writable")
        }
        self.path = path
    }

    /// `nil` when the flag was not given.
    static func validate(_ path: String?) throws(CommandFailure) -> ArrayDirectory? {
        try path.map { (path) throws(CommandFailure) -> ArrayDirectory in try ArrayDirectory(path: path) }
    }

    /// Writes the arrays and `config.json` (``ArrayFiles/write(_:config:into:)``).
    func write(_ arrays: [NamedArray], config: [(String, JSONValue)]) throws(CommandFailure) {
        do {
            try ArrayFiles.write(arrays, config: config, into: path)
        } catch {
            throw .runtime("--npy-dir: \(error)")
        }
    }
}
