import ChildProcesses
import Foundation
import NumPyFormat
import Testing

/// Runs the built `riccati` executable (a sibling of the test bundle in `.build/<config>/`).
struct CommandRun {
    var status: Int32
    var standardOutput: String
    var standardError: String
}

func riccatiExecutable() throws -> URL {
    var candidates: [URL] = []
    let testBinary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    var folder = testBinary.deletingLastPathComponent()
    for _ in 0..<5 {
        candidates.append(folder.appendingPathComponent("riccati"))
        folder = folder.deletingLastPathComponent()
    }
    let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    candidates.append(packageRoot.appendingPathComponent(".build/debug/riccati"))
    guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
        throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "riccati executable not found near \(testBinary.path)"])
    }
    return found
}

/// Runs `executable` with `arguments` (optionally in `directory`) and collects its output; the
/// status is the shell's (128 + the signal for a process ended by one). With `timeout`, a
/// process still running after that many seconds is killed (SIGKILL), so a run that should have
/// failed fast cannot hang the suite. Started by `ChildProcesses`, not Foundation's `Process`,
/// whose `run()` crashed two full test runs and a CI run here (an over-read in its
/// `/proc/self/fd` scan).
func runProcess(_ executable: URL, _ arguments: [String], in directory: URL? = nil,
                timeout: TimeInterval? = nil, environment: [String: String]? = nil) throws -> CommandRun {
    let run = try ChildProcess.run(executable.path, arguments, environment: environment, workingDirectory: directory?.path,
                                   timeout: timeout, terminationGrace: 0)
    return CommandRun(status: run.termination.shellStatus, standardOutput: run.standardOutputText, standardError: run.standardErrorText)
}

/// How `child` ended, waiting at most `seconds` before killing it (SIGKILL), so a process that
/// ignores what it was sent fails its test instead of hanging the suite.
func ended(_ child: ChildProcess, within seconds: Double) -> ChildTermination {
    if let termination = child.wait(timeout: seconds) { return termination }
    child.send(SIGKILL)
    return child.wait()
}

func runRiccati(_ arguments: [String], in directory: URL? = nil, timeout: TimeInterval? = nil) throws -> CommandRun {
    try runProcess(try riccatiExecutable(), arguments, in: directory, timeout: timeout)
}

func temporaryFolder() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("riccati-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

func writeNPY(_ shape: [Int], _ values: [Double], to url: URL) throws {
    try NPY.write(try NPYArray(shape: shape, values: values), to: url.path)
}

/// `bytes` with every occurrence of `pattern` replaced by `replacement` (same length).
func replacing(_ pattern: String, with replacement: String, in bytes: [UInt8]) -> [UInt8] {
    let p = Array(pattern.utf8), q = Array(replacement.utf8)
    precondition(p.count == q.count)
    var result = bytes
    var index = 0
    while index + p.count <= result.count {
        if Array(result[index..<(index + p.count)]) == p {
            result.replaceSubrange(index..<(index + p.count), with: q)
            index += p.count
        } else {
            index += 1
        }
    }
    return result
}
