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

/// Runs `executable` with `arguments` (optionally in `directory`) and collects its output.
/// With `timeout`, a process still running after that many seconds is killed, so a run that should
/// have failed fast cannot hang the suite. (SIGKILL: the child inherits the test runner's signal
/// mask, in which SIGTERM is blocked. The timer runs on its own queue, because the global queues'
/// threads may all be blocked reading pipes in parallel tests.)
func runProcess(_ executable: URL, _ arguments: [String], in directory: URL? = nil,
                timeout: TimeInterval? = nil, environment: [String: String]? = nil) throws -> CommandRun {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    if let environment { process.environment = environment }
    if let directory { process.currentDirectoryURL = directory }
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    // One launch at a time: two full test runs (one on a fresh clone) crashed inside Foundation's
    // Process.run() (a memmove past a mapping) while hundreds of the AddressSpaceLimitTests cases
    // launched processes concurrently. The children still run concurrently.
    processLaunchLock.lock()
    do { try process.run() } catch {
        processLaunchLock.unlock()
        throw error
    }
    processLaunchLock.unlock()
    if let timeout {
        let running = RunningProcess(process: process)
        DispatchQueue(label: "riccati-tests.timeout").asyncAfter(deadline: .now() + timeout) {
            if running.process.isRunning { kill(running.process.processIdentifier, SIGKILL) }
        }
    }
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return CommandRun(status: process.terminationStatus, standardOutput: String(decoding: outData, as: UTF8.self),
                      standardError: String(decoding: errData, as: UTF8.self))
}

/// A `Process` handed to the timeout's closure (read from another thread only to kill it).
private struct RunningProcess: @unchecked Sendable { let process: Process }

/// Serialises `Process.run()` across the test threads (see `runProcess`).
private let processLaunchLock = NSLock()

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
