import AtomicFiles
import Foundation

/// Where a command's report goes: standard output, or a file written atomically.
struct ReportDestination {
    let path: String?
    /// The flag named in error messages.
    let flag: String

    /// Fails early (before any work) when the file's directory is missing or not writable.
    init(path: String?, flag: String = "--output") throws(CommandFailure) {
        self.path = path
        self.flag = flag
        guard let path else { return }
        let directory = (path as NSString).deletingLastPathComponent
        let folder = directory.isEmpty ? "." : directory
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory) else {
            throw .badInput("\(flag) \(path): directory '\(folder)' does not exist")
        }
        guard isDirectory.boolValue else { throw .badInput("\(flag) \(path): '\(folder)' is not a directory") }
        guard FileManager.default.isWritableFile(atPath: folder) else {
            throw .badInput("\(flag) \(path): directory '\(folder)' is not writable")
        }
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw .badInput("\(flag) \(path) is a directory; expected a file path")
        }
    }

    /// Writes `text` to standard output, or to the file via a temporary file in the same
    /// directory and `rename(2)`, so an interrupted run never leaves half a file.
    func write(_ text: String) throws(CommandFailure) {
        guard let path else {
            FileHandle.standardOutput.write(Data(text.utf8))
            return
        }
        try writeAtomically(text, to: path, flag: flag)
    }
}

/// Writes `text` to `path` atomically (``AtomicFile``); errors name `flag`.
func writeAtomically(_ text: String, to path: String, flag: String) throws(CommandFailure) {
    do {
        try AtomicFile.write(text, to: path)
    } catch {
        throw .runtime("\(flag) \(error)")
    }
}
