import ChildProcesses
import Foundation
import Testing

// Two ways the process, not a flag, stops a write: a file-size limit (`ulimit -f`), and a pipe
// nobody reads when a stop signal arrives. Both must end with one line and a documented code.

@Suite("Writes stopped by a file-size limit or by a signal while a pipe is full", .serialized)
struct StreamLimitTests {
    static let integrate = ["integrate", "--r", "4", "--rs", "2", "--d", "16", "--t-end", "1"]

    /// Runs `riccati arguments` in `folder` under `ulimit -f blocks` (the shell `exec`s the tool;
    /// `redirect` is appended to the shell line, e.g. `> out.txt`).
    func runUnderFileSizeLimit(_ arguments: [String], blocks: Int?, redirect: String = "", in folder: URL) throws -> CommandRun {
        let limit = blocks.map { "ulimit -f \($0) && " } ?? ""
        return try runProcess(URL(fileURLWithPath: "/bin/sh"),
                              ["-c", "\(limit)exec \"$0\" \"$@\" \(redirect)", try riccatiExecutable().path] + arguments,
                              in: folder, timeout: 30)
    }

    /// Past `ulimit -f` the write fails with EFBIG: exit 1, one line with the system's reason, no
    /// file and no temporary left. (SIGXFSZ used to end the process silently, status 153, and
    /// leave the temporary.) Control: the same run without the limit writes its report.
    @Test func fileSizeLimitIsOneLineNotASignal() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let limited = try runUnderFileSizeLimit(Self.integrate + ["--output", "report.txt"], blocks: 1, in: folder)
        #expect(limited.status == 1, "exit \(limited.status): \(limited.standardError)")
        #expect(limited.standardError.hasPrefix("riccati: ") && limited.standardError.contains("File too large"), "\(limited.standardError)")
        #expect(limited.standardError.split(separator: "\n").count == 1)
        let left = try folderContents(folder)
        #expect(left.isEmpty, "left \(left)")

        let toStandardOutput = try runUnderFileSizeLimit(Self.integrate, blocks: 1, redirect: "> stdout.txt", in: folder)
        #expect(toStandardOutput.status == 1, "exit \(toStandardOutput.status): \(toStandardOutput.standardError)")
        #expect(toStandardOutput.standardError.contains("standard output") && toStandardOutput.standardError.contains("File too large"))
        try FileManager.default.removeItem(at: folder.appendingPathComponent("stdout.txt"))

        let unlimited = try runUnderFileSizeLimit(Self.integrate + ["--output", "report.txt"], blocks: nil, in: folder)
        #expect(unlimited.status == 0, "\(unlimited.standardError)")
        let size = try FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent("report.txt").path)[.size] as? Int ?? 0
        #expect(size > 1024, "the control's report (\(size) bytes) must exceed the limit of the runs above")
    }

    /// A report larger than a pipe's buffer, written to a pipe nobody reads: the tool blocks in
    /// `write`. One SIGINT must end it (exit 130, one line saying what was not delivered), not wait
    /// for a second signal. Control: the same run read to the end delivers complete JSON.
    @Test func signalWhileBlockedOnAFullPipe() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let arguments = ["integrate", "--r", "300", "--rs", "50", "--d", "1000", "--t-end", "5", "--save-count", "300", "--format", "json"]

        let control = try runRiccati(arguments, timeout: 60)
        #expect(control.status == 0)
        #expect(control.standardOutput.utf8.count > 1 << 17, "the report (\(control.standardOutput.utf8.count) bytes) must exceed a pipe's buffer")
        #expect((try? JSONSerialization.jsonObject(with: Data(control.standardOutput.utf8))) != nil)

        let errorFile = folder.appendingPathComponent("stderr.txt")
        let process = try ChildProcess(executable: try riccatiExecutable().path, arguments: arguments,
                                       standardOutput: .pipe, standardError: .file(errorFile.path))
        // Wait until it sleeps in the kernel's pipe write (its report is done, the pipe is full).
        let deadline = Date().addingTimeInterval(60)
        var blocked = false
        while process.isRunning, Date() < deadline, !blocked {
            usleep(50_000)
            let channel = (try? String(contentsOfFile: "/proc/\(process.processIdentifier)/wchan", encoding: .utf8)) ?? ""
            blocked = channel.contains("pipe")
        }
        #expect(blocked, "the run never blocked writing to the pipe")
        process.send(SIGINT)
        let termination = ended(process, within: 10)
        let stderr = try String(contentsOf: errorFile, encoding: .utf8)
        #expect(termination == .exited(130), "\(termination): \(stderr)")
        #expect(stderr.hasPrefix("riccati: interrupted by SIGINT") && stderr.contains("standard output"), "\(stderr)")
        #expect(stderr.split(separator: "\n").count == 1)
    }
}
