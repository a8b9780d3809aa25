import ChildProcesses
import AtomicFiles
import Foundation
import NumPyFormat
import Testing
import TestSupport

/// The file-system bad inputs of issue 15 in the table style of ``BadInputTables`` (exit code 2,
/// one line naming the flag, nothing on stdout, no folder changed), so that a later test can run
/// them again under `ulimit -v`.
enum FileSystemBadInputs {
    static let integrate = ["--r", "4", "--rs", "2", "--d", "16", "--t-end", "1"]
    static let sgd = ["--d", "16", "--r", "2", "--rs", "2", "--batch", "8", "--lr", "0.05"]

    static let cases: [BadInputCase] = [
        // Destinations the final write would refuse, refused before the work.
        BadInputCase(command: ["integrate"], arguments: integrate + ["--output", ""], fragment: "--output"),
        BadInputCase(command: ["integrate"], arguments: integrate + ["--output", "OUT/"], fragment: "--output"),
        BadInputCase(command: ["integrate"], arguments: integrate + ["--output", "OUT/" + String(repeating: "n", count: 256)], fragment: "--output"),
        BadInputCase(command: ["integrate"], arguments: integrate + ["--plot", "OUT/" + String(repeating: "n", count: 252) + ".svg"], fragment: "--plot"),
        BadInputCase(command: ["integrate"], arguments: integrate + ["--output", "/dev/fd/999"], fragment: "--output"),
        BadInputCase(command: ["sgd"], arguments: sgd + ["--checkpoint", "OUT/"], fragment: "--checkpoint"),
        BadInputCase(command: ["integrate"], arguments: integrate + ["--npy-dir", ""], fragment: "--npy-dir"),
        // An output that is one of the command's inputs.
        BadInputCase(command: ["integrate"], arguments: ["--lambdas", "IN/lambda2.npy", "--output", "IN/lambda2.npy"], fragment: "--output"),
        BadInputCase(command: ["integrate"], arguments: ["--lambdas", "IN/lambda2.npy", "--init-m", "IN/m2x2.npy", "--plot", "OUT/f.svg",
                                                         "--output", "IN/m2x2.npy"], fragment: "--init-m"),
        BadInputCase(command: ["integrate"], arguments: ["--lambdas", "IN/lambda2.npy", "--npy-dir", "IN"], fragment: "--npy-dir"),
        BadInputCase(command: ["sgd"], arguments: ["--d", "16", "--rs", "2", "--batch", "8", "--lr", "0.05", "--lambdas", "IN/lambda2.npy",
                                                   "--init-w", "IN/w2x16.npy", "--checkpoint", "IN/w2x16.npy"], fragment: "--checkpoint"),
        // Inputs that are not regular files, pipes or FIFOs.
        BadInputCase(command: ["integrate"], arguments: ["--lambdas", "/dev/zero", "--output", "OUT/r.txt"], fragment: "--lambdas"),
        BadInputCase(command: ["integrate"], arguments: ["--lambdas", "/dev/null"], fragment: "--lambdas"),
        BadInputCase(command: ["integrate"], arguments: ["--lambdas", "IN/lambda2.npy", "--init-m", "/dev/zero"], fragment: "--init-m"),
        BadInputCase(command: ["sgd"], arguments: sgd + ["--theta", "/dev/urandom"], fragment: "--theta"),
        BadInputCase(command: ["sgd"], arguments: sgd + ["--resume", "/dev/zero"], fragment: "--resume"),
        BadInputCase(command: ["sgd"], arguments: sgd + ["--resume", "IN/folder.npy"], fragment: "--resume"),
        BadInputCase(command: ["sgd"], arguments: sgd + ["--resume", ""], fragment: "--resume"),
    ]
}

@Suite("riccati and the file system: devices, FIFOs, links, standard streams, inputs", .serialized)
struct FileSystemTests {
    static let integrate = FileSystemBadInputs.integrate

    @Test(arguments: FileSystemBadInputs.cases) func badInput(_ c: BadInputCase) throws { try checkBadInput(c) }

    func withFolder(_ body: (URL) throws -> Void) throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try body(folder)
    }

    @Test("one-character relative names: x is written, ., ./ and a/ are refused with one line (no crash)")
    func oneCharacterNames() throws {
        try withFolder { folder in
            let ok = try runRiccati(["integrate"] + Self.integrate + ["--output", "x"], in: folder, timeout: 60)
            #expect(ok.status == 0 && ok.standardError.isEmpty && ok.standardOutput.isEmpty)
            #expect(try folderContents(folder) == ["x"])
            for name in [".", "./", "a/", "x/"] {
                let run = try runRiccati(["integrate"] + Self.integrate + ["--output", name], in: folder, timeout: 60)
                #expect(run.status == 2, "\(name): \(run.status) \(run.standardError)")
                let lines = run.standardError.split(separator: "\n", omittingEmptySubsequences: false)
                #expect(lines.count == 2 && run.standardError.hasPrefix("riccati: --output"), "\(run.standardError)")
            }
            #expect(try folderContents(folder) == ["x"])
        }
    }

    @Test("a character device as --output, --plot, --checkpoint and a --npy-dir file is written in place and stays a device",
          .enabled(if: getuid() == 0, "mknod needs root; as another user the same code paths are covered by the FIFO test"))
    func devicesStayDevices() throws {
        try withFolder { folder in
            let arrays = folder.appendingPathComponent("arrays")
            try FileManager.default.createDirectory(at: arrays, withIntermediateDirectories: false)
            let devices = ["null-out", "null-plot.svg", "null-ckpt", "arrays/risk.npy"].map { folder.appendingPathComponent($0).path }
            for device in devices { #expect(mknod(device, S_IFCHR | 0o666, dev_t(1 << 8 | 3)) == 0) }   // 1,3: /dev/null's numbers
            let run = try runRiccati(["integrate"] + Self.integrate + ["--output", devices[0], "--plot", devices[1], "--npy-dir", arrays.path],
                                     in: folder, timeout: 60)
            #expect(run.status == 0 && run.standardError.isEmpty, "\(run.standardError)")
            let sgd = try runRiccati(["sgd"] + FileSystemBadInputs.sgd + ["--checkpoint", devices[2], "--checkpoint-every", "1", "--output", devices[0]],
                                     in: folder, timeout: 60)
            #expect(sgd.status == 0 && sgd.standardError.isEmpty, "\(sgd.standardError)")
            for device in devices { #expect(fileType(device) == S_IFCHR, "\(device) is no longer a device") }
            // The other arrays and the manifest are regular files next to the device.
            #expect(fileType(arrays.appendingPathComponent("times.npy").path) == S_IFREG)
            #expect(fileType(arrays.appendingPathComponent("config.json").path) == S_IFREG)
            #expect(try folderContents(folder) == ["arrays", "null-ckpt", "null-out", "null-plot.svg"])
        }
    }

    @Test("a FIFO as --output is opened and written: the reader gets the report and the FIFO stays a FIFO")
    func fifoOutput() throws {
        try withFolder { folder in
            let fifo = folder.appendingPathComponent("report.fifo").path
            #expect(mkfifo(fifo, 0o600) == 0)
            let received = Handover<Data>()
            let reader = Thread { received.set(readFIFO(fifo)) }
            reader.start()
            let run = try runRiccati(["integrate"] + Self.integrate + ["--output", fifo, "--format", "json"], in: folder, timeout: 60)
            #expect(run.status == 0 && run.standardError.isEmpty && run.standardOutput.isEmpty, "\(run.standardError)")
            while received.value == nil { usleep(1000) }
            let object = try JSONSerialization.jsonObject(with: received.value ?? Data()) as? [String: Any]
            #expect(object?["risk"] != nil, "the reader did not get the JSON report")
            #expect(fileType(fifo) == S_IFIFO)
            #expect(try folderContents(folder) == ["report.fifo"])
        }
    }

    @Test("a link to a regular file: the target is replaced atomically and the link stays; a dangling link is refused")
    func symbolicLinkOutput() throws {
        try withFolder { folder in
            let target = folder.appendingPathComponent("target.txt"), link = folder.appendingPathComponent("link.txt")
            try Data("old\n".utf8).write(to: target)
            #expect(symlink("target.txt", link.path) == 0)
            let run = try runRiccati(["integrate"] + Self.integrate + ["--output", link.path], in: folder, timeout: 60)
            #expect(run.status == 0, "\(run.standardError)")
            #expect(fileType(link.path) == S_IFLNK)
            #expect(try String(contentsOf: target, encoding: .utf8).contains("risk"))
            #expect(try folderContents(folder) == ["link.txt", "target.txt"])
            #expect(symlink("missing.txt", folder.appendingPathComponent("dangling").path) == 0)
            let dangling = try runRiccati(["integrate"] + Self.integrate + ["--output", "dangling"], in: folder, timeout: 60)
            #expect(dangling.status == 2 && dangling.standardError.contains("symbolic link to a missing file"), "\(dangling.standardError)")
            #expect(try folderContents(folder) == ["dangling", "link.txt", "target.txt"])
        }
    }

    @Test("a read-only existing output is refused before the work, also as root; a writable one is replaced (control)")
    func readOnlyOutput() throws {
        try withFolder { folder in
            let report = folder.appendingPathComponent("report.txt")
            try Data("keep\n".utf8).write(to: report)
            #expect(chmod(report.path, 0o444) == 0)
            let run = try runRiccati(["integrate"] + Self.integrate + ["--output", report.path], in: folder, timeout: 60)
            #expect(run.status == 2 && run.standardError.contains("read-only"), "\(run.standardError)")
            #expect(try String(contentsOf: report, encoding: .utf8) == "keep\n")
            #expect(chmod(report.path, 0o644) == 0)
            let control = try runRiccati(["integrate"] + Self.integrate + ["--output", report.path], in: folder, timeout: 60)
            let replaced = try String(contentsOf: report, encoding: .utf8)
            #expect(control.status == 0 && replaced.contains("risk"))
        }
    }

    @Test("an output that is an input through a link is refused; --checkpoint = --resume is the allowed pair")
    func outputIsInput() throws {
        try withFolder { folder in
            let lambda = folder.appendingPathComponent("lambda.npy")
            try writeNPY([2], [2, 1], to: lambda)
            let before = try Data(contentsOf: lambda)
            #expect(symlink("lambda.npy", folder.appendingPathComponent("alias.npy").path) == 0)
            let run = try runRiccati(["integrate", "--lambdas", "lambda.npy", "--output", "alias.npy"], in: folder, timeout: 60)
            #expect(run.status == 2 && run.standardError.contains("--lambdas") && run.standardError.contains("--output"), "\(run.standardError)")
            #expect(try Data(contentsOf: lambda) == before)
            // Two outputs naming one new file.
            let twice = try runRiccati(["integrate"] + Self.integrate + ["--output", "same.svg", "--plot", "./same.svg"], in: folder, timeout: 60)
            #expect(twice.status == 2 && twice.standardError.contains("--plot"), "\(twice.standardError)")
            // Control: continuing a run that checkpoints into the file it resumes from.
            let sgd = FileSystemBadInputs.sgd + ["--steps", "40", "--checkpoint", "run.ckpt", "--checkpoint-every", "10", "--output", "a.txt"]
            let first = try runRiccati(["sgd"] + sgd, in: folder, timeout: 60)
            #expect(first.status == 0, "\(first.standardError)")
            let resumed = try runRiccati(["sgd"] + sgd + ["--resume", "run.ckpt"], in: folder, timeout: 60)
            #expect(resumed.status == 0, "\(resumed.standardError)")
            #expect(try folderContents(folder) == ["a.txt", "alias.npy", "lambda.npy", "run.ckpt"])
        }
    }

    @Test("standard output on /dev/full: exit 1 and one line keeping 'No space left on device'; --output /dev/full too")
    func fullStandardOutput() throws {
        try withFolder { folder in
            let run = try spawnRiccati(["integrate"] + Self.integrate + ["--format", "json"], in: folder, standardOutput: .file("/dev/full"))
            #expect(run.exitStatus == 1 && run.oneErrorLine, "\(run)")
            #expect(run.standardError.contains("standard output") && run.standardError.contains("No space left on device"), "\(run.standardError)")
            let flag = try spawnRiccati(["integrate"] + Self.integrate + ["--output", "/dev/full"], in: folder)
            #expect(flag.exitStatus == 1 && flag.oneErrorLine && flag.standardError.contains("--output /dev/full: write failed: No space left on device"),
                    "\(flag)")
            #expect(flag.standardOutput.isEmpty)
            // Control: the same run with a working standard output.
            let control = try spawnRiccati(["integrate"] + Self.integrate + ["--format", "json"], in: folder)
            #expect(control.exitStatus == 0 && control.standardError.isEmpty && control.standardOutput.contains("\"risk\""))
        }
    }

    @Test("a closed standard output: refused before the work with one line (exit 2); with --output the run works (control)")
    func closedStandardOutput() throws {
        try withFolder { folder in
            let run = try spawnRiccati(["integrate"] + Self.integrate, in: folder, standardOutput: .closed)
            #expect(run.exitStatus == 2 && run.oneErrorLine && run.standardError.contains("standard output is closed"), "\(run)")
            let control = try spawnRiccati(["integrate"] + Self.integrate + ["--output", folder.appendingPathComponent("r.txt").path],
                                           in: folder, standardOutput: .closed)
            #expect(control.exitStatus == 0 && control.standardError.isEmpty, "\(control)")
            #expect(try folderContents(folder) == ["r.txt"])
        }
    }

    @Test("a broken pipe stays quiet: nothing on standard error, ended by SIGPIPE")
    func brokenPipe() throws {
        try withFolder { folder in
            var ends: [Int32] = [0, 0]
            #expect(pipe(&ends) == 0)
            close(ends[0])   // nobody will read
            let run = try spawnRiccati(["integrate"] + Self.integrate + ["--format", "csv"], in: folder,
                                       standardOutput: .descriptor(ends[1]))
            close(ends[1])
            #expect(run.standardError.isEmpty, "\(run.standardError)")
            #expect(run.signal == SIGPIPE, "\(run)")
        }
    }

    @Test("--lambdas from a FIFO (as <(cat x.npy) gives) is read; the same bytes with junk behind them are refused")
    func fifoInput() throws {
        try withFolder { folder in
            let bytes = NPY.encode(try NPYArray(shape: [2], values: [2, 1]))
            for (payload, expected) in [(bytes, Int32(0)), (bytes + [0, 0, 0, 0, 0, 0, 0, 0], Int32(2))] {
                let fifo = folder.appendingPathComponent("lambda-\(expected).fifo").path
                #expect(mkfifo(fifo, 0o600) == 0)
                let writer = Thread {
                    let descriptor = open(fifo, O_WRONLY)
                    guard descriptor >= 0 else { return }
                    _ = POSIXIO.writeAll(descriptor, payload)
                    close(descriptor)
                }
                writer.start()
                let run = try spawnRiccati(["integrate", "--lambdas", fifo, "--rs", "2", "--d", "16", "--t-end", "1"], in: folder, timeout: 60)
                #expect(run.exitStatus == expected, "\(run)")
                if expected != 0 { #expect(run.oneErrorLine && run.standardError.contains("--lambdas") && run.standardError.contains("more than")) }
                #expect(fileType(fifo) == S_IFIFO)
            }
        }
    }

    /// Blocked opening a FIFO nobody writes: SIGTERM ends the run. With the tool's handlers
    /// (installed without SA_RESTART) the open is interrupted and the run exits 130; without
    /// them SIGTERM's default action ends it. Either way it must not survive: after 2 s it is
    /// killed with SIGKILL, which fails the test.
    @Test("SIGTERM ends a run blocked on a writer-less --lambdas FIFO (exit 130 or SIGTERM), within 2 s")
    func writerlessFIFO() throws {
        try withFolder { folder in
            let fifo = folder.appendingPathComponent("nobody.fifo").path
            #expect(mkfifo(fifo, 0o600) == 0)
            let run = try spawnRiccati(["integrate", "--lambdas", fifo], in: folder, timeout: 2) { pid in
                usleep(300_000)
                // Repeated, in case the first one came before the open began to wait.
                for _ in 0..<15 where !hasEnded(pid) { kill(pid, SIGTERM); usleep(100_000) }
            }
            #expect(run.exitStatus == 130 || run.signal == SIGTERM, "\(run)")
            #expect(run.signal != SIGKILL)
        }
    }

    @Test("a temporary left by a killed writer is removed by the next write to the same destination")
    func staleCheckpointTemporary() throws {
        try withFolder { folder in
            let dead = try deadChildID()
            let stale = ".run.ckpt.riccati-\(dead)-k1ll3d.tmp", foreign = ".other.riccati-\(dead)-k1ll3d.tmp"
            for name in [stale, foreign] { try Data(count: 1000).write(to: folder.appendingPathComponent(name)) }
            let run = try runRiccati(["sgd"] + FileSystemBadInputs.sgd + ["--steps", "20", "--checkpoint", "run.ckpt", "--checkpoint-every", "5",
                                                                          "--output", "r.txt"], in: folder, timeout: 60)
            #expect(run.status == 0, "\(run.standardError)")
            #expect(try folderContents(folder) == [foreign, "r.txt", "run.ckpt"])
        }
    }
}

extension FileSystemTests {
    /// A real `kill -9` while a large checkpoint (12.8 MB: W is 8 × 200000) is being written:
    /// the temporary file left behind says whose it is, and the next run writing that
    /// checkpoint removes it. (If the kill lands between two writes, nothing is left; the
    /// attempt is repeated, up to five times.)
    @Test("kill -9 during a checkpoint write leaves .run.ckpt.riccati-<pid>-….tmp; the next run removes it")
    func killedCheckpointWrite() throws {
        try withFolder { folder in
            let checkpoint = folder.appendingPathComponent("run.ckpt").path
            let long = ["sgd", "--d", "200000", "--r", "4", "--rs", "8", "--batch", "8", "--lr", "0.01", "--steps", "1000000",
                        "--save-count", "2", "--checkpoint", checkpoint, "--checkpoint-every", "1", "--output", "/dev/null"]
            var leftover: String?
            var killed: pid_t = 0
            for _ in 0..<5 where leftover == nil {
                _ = try spawnRiccati(long, in: folder, timeout: 120) { pid in
                    killed = pid
                    while !hasEnded(pid) {
                        let names = (try? folderContents(folder)) ?? []
                        if names.contains(where: { $0.hasPrefix(".run.ckpt.riccati-\(pid)-") }) { kill(pid, SIGKILL); return }
                        usleep(500)
                    }
                }
                leftover = try folderContents(folder).first { $0.hasPrefix(".run.ckpt.riccati-\(killed)-") && $0.hasSuffix(".tmp") }
            }
            let name = try #require(leftover, "no temporary file was caught in five attempts")
            #expect(AtomicFile.temporaryOwner(name, of: "run.ckpt") == killed)
            let next = try runRiccati(["sgd"] + FileSystemBadInputs.sgd + ["--steps", "4", "--checkpoint", checkpoint, "--checkpoint-every", "2",
                                                                           "--output", "/dev/null"], in: folder, timeout: 60)
            #expect(next.status == 0, "\(next.standardError)")
            #expect(try folderContents(folder).filter { $0.hasSuffix(".tmp") }.isEmpty)
        }
    }
}

/// The id of a child process that has exited and been reaped.
func deadChildID() throws -> Int32 {
    let child = try ChildProcess(executable: "/bin/true")
    child.wait()
    return child.processIdentifier
}
