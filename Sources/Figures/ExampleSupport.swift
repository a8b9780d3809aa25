import ArgumentParser
import AtomicFiles
import Foundation

/// The arguments of the programs in `examples/`: `<Example> OUTPUT_DIR [--smoke]`.
struct ExampleArguments: ParsableArguments {
    @Argument(help: "Folder for the outputs; created if its parent exists.")
    var folder: String

    @Flag(help: "Tiny sizes that run in seconds (used by the test suite).")
    var smoke = false
}

/// Command-line handling shared by the programs in `examples/`: `<Example> OUTPUT_DIR [--smoke]`,
/// parsed with swift-argument-parser. `--smoke` selects tiny sizes (seconds), used by the test
/// suite. The output directory is created if its parent exists. Errors print one line and exit
/// with code 2 (bad arguments) or 1; `--help` prints the usage and exits with 0.
public struct ExampleRun {
    public let folder: String
    public let smoke: Bool
    public let name: String

    public init(name: String, arguments: [String] = CommandLine.arguments) {
        self.name = name
        let parsed: ExampleArguments
        do {
            parsed = try ExampleArguments.parse(Array(arguments.dropFirst()))
        } catch {
            if ExampleArguments.exitCode(for: error) == .success {
                print(ExampleArguments.helpMessage(columns: 100).replacingOccurrences(of: "<folder>", with: "OUTPUT_DIR"))
                exit(0)
            }
            let reason = ExampleArguments.message(for: error).split(separator: "\n").first.map(String.init) ?? "invalid arguments"
            Self.fail("usage: \(name) OUTPUT_DIR [--smoke] (\(reason))", code: 2)
        }
        folder = parsed.folder
        smoke = parsed.smoke
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory) {
            do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false) } catch {
                Self.fail("\(name): cannot create the output directory \(folder): \(error.localizedDescription)", code: 2)
            }
        } else if !isDirectory.boolValue {
            Self.fail("\(name): \(folder) is not a directory", code: 2)
        }
    }

    /// Writes `text` as `folder/file` atomically (``AtomicFile``).
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
