import AtomicFiles
import Reports
import Synchronization

/// The files one run of the tool reads and writes, so that an output never names one of the
/// command's own inputs and two outputs never name one file: both are refused before any work
/// (exit code 2), whichever of the two is checked second.
///
/// Files are compared by identity, `(st_dev, st_ino)` (``FileIdentity``), so links, `..` and
/// `/dev/fd` paths cannot hide a match; two new files by their canonical path. Outputs written
/// in place (devices and FIFOs: writing `/dev/null` twice is harmless) are not compared.
/// The one pair allowed is `--checkpoint` with `--resume` of the same file: the checkpoint is
/// read completely before the run starts, and each new one replaces it atomically, which is the
/// way to continue a run that keeps checkpointing.
/// For `--npy-dir`, an input inside the directory is refused when its name is one the tool
/// may write there (any `.npy` file and `config.json`, ``ArrayFiles/isArrayFileName(_:)``).
enum FileRegistry {
    struct Output: Sendable {
        var flag: String
        var path: String
        var identity: FileIdentity?
        var canonicalPath: String?
    }

    struct Input: Sendable {
        var flag: String
        var path: String
        var identity: FileIdentity
        /// The identity of the directory holding the input, and its name there.
        var directory: FileIdentity?
        var name: String
    }

    struct State: Sendable {
        var outputs: [Output] = []
        var inputs: [Input] = []
        var arrayDirectories: [(flag: String, path: String, identity: FileIdentity)] = []
    }

    private static let state = Mutex(State())

    static func registerOutput(flag: String, _ file: FileDestination) throws(CommandFailure) {
        guard file.kind == .replace else { return }
        let output = Output(flag: flag, path: file.path, identity: file.identity, canonicalPath: file.canonicalPath)
        let conflict: String? = state.withLock { state in
            for other in state.outputs where !(other.flag == flag && other.path == file.path) {
                let same = (output.identity != nil && other.identity == output.identity)
                    || (output.canonicalPath != nil && other.canonicalPath == output.canonicalPath)
                if same {
                    return "\(other.flag) and \(flag) conflict: both name \(other.path == file.path ? file.path : "the same file (\(other.path), \(file.path))"); give two different files"
                }
            }
            for input in state.inputs where output.identity == input.identity && !allowed(output: flag, input: input.flag) {
                return "\(flag) \(file.path) is the command's input \(input.flag) \(input.path); refusing to overwrite an input"
            }
            state.outputs.append(output)
            return nil
        }
        if let conflict { throw .badInput(conflict) }
    }

    static func registerArrayDirectory(flag: String, path: String) throws(CommandFailure) {
        guard let identity = FileIdentity.of(path: path) else { return }
        let conflict: String? = state.withLock { state in
            for input in state.inputs where input.directory == identity && ArrayFiles.isArrayFileName(input.name) {
                return "\(flag) \(path) would overwrite the command's input \(input.flag) \(input.path); choose another directory"
            }
            state.arrayDirectories.append((flag, path, identity))
            return nil
        }
        if let conflict { throw .badInput(conflict) }
    }

    /// Records an input that was opened (its identity taken from the open descriptor).
    static func registerInput(flag: String, path: String, identity: FileIdentity) throws(CommandFailure) {
        let (directory, name) = split(path)
        let input = Input(flag: flag, path: path, identity: identity, directory: FileIdentity.of(path: directory), name: name)
        let conflict: String? = state.withLock { state in
            for output in state.outputs where output.identity == identity && !allowed(output: output.flag, input: flag) {
                return "\(flag) \(path) is also the command's output \(output.flag) \(output.path); refusing to overwrite an input"
            }
            for folder in state.arrayDirectories where folder.identity == input.directory && ArrayFiles.isArrayFileName(name) {
                return "\(folder.flag) \(folder.path) would overwrite the command's input \(flag) \(path); choose another directory"
            }
            state.inputs.append(input)
            return nil
        }
        if let conflict { throw .badInput(conflict) }
    }

    private static func allowed(output: String, input: String) -> Bool {
        output == "--checkpoint" && input == "--resume"
    }

    /// Directory and last component by plain string handling (`x` → `.`, `x`).
    static func split(_ path: String) -> (String, String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let directory = String(path[..<slash])
        return (directory.isEmpty ? "/" : directory, String(path[path.index(after: slash)...]))
    }
}
