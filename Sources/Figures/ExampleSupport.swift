import Foundation

/// Writes text files atomically: a temporary file in the same directory, then `rename(2)`, so
/// readers see either the previous file or the complete new one.
public enum AtomicFile {
    public static func write(_ text: String, to path: String) throws(FigureError) {
        try write(data: Data(text.utf8), to: path)
    }

    /// Writes `data` to a temporary file in the same directory, then `rename(2)`s it onto `path`.
    public static func write(data: Data, to path: String) throws(FigureError) {
        let directory = (path as NSString).deletingLastPathComponent
        let temporary = (directory.isEmpty ? "." : directory) + "/.\((path as NSString).lastPathComponent).\(getpid()).tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: data) else {
            throw .invalidData("\(path): could not write the temporary file \(temporary)")
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw .invalidData("\(path): could not move the result into place: \(reason)")
        }
    }
}

/// Command-line handling shared by the programs in `examples/`: `<Example> OUTPUT_DIR [--smoke]`.
/// `--smoke` selects tiny sizes (seconds), used by the test suite. The output directory is
/// created if its parent exists. Errors print one line and exit with code 2 (bad arguments) or 1.
public struct ExampleRun {
    public let folder: String
    public let smoke: Bool
    public let name: String

    public init(name: String, arguments: [String] = CommandLine.arguments) {
        self.name = name
        let rest = Array(arguments.dropFirst())
        let flags = rest.filter { $0.hasPrefix("--") }
        let positional = rest.filter { !$0.hasPrefix("--") }
        guard positional.count == 1, flags.allSatisfy({ $0 == "--smoke" }) else {
            Self.fail("usage: \(name) OUTPUT_DIR [--smoke]", code: 2)
        }
        folder = positional[0]
        smoke = flags.contains("--smoke")
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory) {
            do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false) } catch {
                Self.fail("\(name): cannot create the output directory \(folder): \(error.localizedDescription)", code: 2)
            }
        } else if !isDirectory.boolValue {
            Self.fail("\(name): \(folder) is not a directory", code: 2)
        }
    }

    /// Writes `text` as `folder/file` atomically.
    public func write(_ text: String, to file: String) {
        do { try AtomicFile.write(text, to: folder + "/" + file) } catch { Self.fail("\(name): \(error)", code: 1) }
    }

    /// Writes a CSV table: header, then one line per row.
    public func writeCSV(_ file: String, header: [String], rows: [[String]]) {
        write(([header.joined(separator: ",")] + rows.map { $0.joined(separator: ",") }).joined(separator: "\n") + "\n", to: file)
    }

    /// Prints to standard output.
    public func say(_ line: String) { print(line) }

    /// Runs `body`, turning any thrown error into a one-line message and exit code 1.
    public func run(_ body: () throws -> Void) {
        do { try body() } catch { Self.fail("\(name): \(error)", code: 1) }
    }

    public static func fail(_ message: String, code: Int32) -> Never {
        FileHandle.standardError.write(Data((message + "\n").utf8))
        exit(code)
    }
}
