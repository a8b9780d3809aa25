import ChildProcesses
import Foundation
import SGD
import Testing

// Every long command of `riccati`, stopped by a real SIGINT, SIGTERM or SIGHUP once it is under
// way: it must exit with 130 within a bound generous enough for two loaded cores (the measured
// latency is printed), print one line `riccati: interrupted by SIG…`, and leave its partial
// outputs (report, --npy-dir) marked `interrupted`. The negative control of each: the same
// command, small enough to finish, without a signal exits 0 with status `completed`.

/// A stop signal, by name (the test's arguments).
enum StopSignal: String, CaseIterable, Sendable {
    case SIGINT, SIGTERM, SIGHUP

    var number: Int32 {
        switch self {
        case .SIGINT: return Foundation.SIGINT
        case .SIGTERM: return Foundation.SIGTERM
        case .SIGHUP: return Foundation.SIGHUP
        }
    }
}

/// CPU seconds (user + system) process `pid` has used, from `/proc/<pid>/stat`.
func cpuSeconds(_ pid: Int32) -> Double? {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = text.lastIndex(of: ")") else { return nil }
    // After the command name: state (field 3) … utime (14), stime (15).
    let fields = text[text.index(after: close)...].split(separator: " ")
    guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
    return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
}

/// Waits until `process` has used `cpu` seconds of CPU (it is then past its setup and computing),
/// or has ended, or `timeout` passed.
func waitUntilBusy(_ process: ChildProcess, cpu: Double, timeout: TimeInterval = 60) {
    let deadline = Date().addingTimeInterval(timeout)
    while process.isRunning, Date() < deadline, (cpuSeconds(process.processIdentifier) ?? 0) < cpu { usleep(20_000) }
}

/// Sends `signal` and waits for the process to end; after `hardLimit` seconds it is killed
/// (SIGKILL), so a process that ignores the signal fails the test instead of hanging the suite.
/// Returns the seconds from the signal to the exit.
@discardableResult
func stop(_ process: ChildProcess, with signal: Int32, hardLimit: TimeInterval = 60) -> Double {
    let sent = Date()
    process.send(signal)
    _ = ended(process, within: hardLimit)
    return Date().timeIntervalSince(sent)
}

/// The generous bound on the stop latency (the issue asks for 1–2 s; the tests share two cores
/// with other builds).
let stopLatencyBound: TimeInterval = 10

/// A long command and its small twin (the negative control).
struct LongCommand: Sendable, CustomTestStringConvertible {
    var name: String
    /// Runs for many seconds (far longer than the test waits before the signal).
    var long: [String]
    /// The same command, small enough to finish in about a second.
    var short: [String]
    /// CPU seconds after which the long run is under way.
    var busy: Double
    /// The signal sent (the commands share the three signals; integrate gets all of them).
    var signal: StopSignal

    var testDescription: String { "\(name) ← \(signal.rawValue)" }

    static let integrate = ["integrate", "--r", "256", "--rs", "64", "--d", "4096", "--method", "dopri5", "--save-count", "12"]
    static let monotonicity = ["monotonicity", "--r", "64", "--rs", "32", "--d", "4096", "--rtol", "1e-10", "--atol", "1e-12"]
    static let compare = ["compare", "--d", "512", "--r", "8", "--rs", "4", "--batch", "512", "--lr", "0.001", "--save-count", "100"]
    static let sweepBase = ["compare", "--d", "256", "--r", "8", "--rs", "4", "--batch", "256", "--lr", "0.01", "--steps", "200",
                            "--save-count", "20"]
    static let scalingSweep = ["scaling", "sweep", "--alphas", "1,1.5", "--r", "64", "--widths", "8,16", "--seeds", "0,1,2,3,4",
                               "--factorization", "symmetricRoot", "--jobs", "2"]
    static let compute = ["scaling", "compute", "--d", "512", "--r", "8", "--batch", "512", "--lr", "0.002", "--save-count", "100"]

    static let all: [LongCommand] = [
        LongCommand(name: "integrate", long: integrate + ["--t-end", "20000"], short: integrate + ["--t-end", "1"], busy: 0.8, signal: .SIGINT),
        LongCommand(name: "integrate", long: integrate + ["--t-end", "20000"], short: integrate + ["--t-end", "1"], busy: 0.8, signal: .SIGTERM),
        LongCommand(name: "integrate", long: integrate + ["--t-end", "20000"], short: integrate + ["--t-end", "1"], busy: 0.8, signal: .SIGHUP),
        LongCommand(name: "monotonicity", long: monotonicity + ["--t-end", "1e4"], short: monotonicity + ["--t-end", "10"], busy: 1.0,
                    signal: .SIGHUP),
        LongCommand(name: "compare", long: compare + ["--steps", "40000"], short: compare + ["--steps", "400"], busy: 0.8, signal: .SIGTERM),
        LongCommand(name: "compare-lr-sweep", long: sweepBase + ["--lr-sweep", "0.01,0.0001", "--seeds", "3"],
                    short: sweepBase + ["--lr-sweep", "0.01,0.005", "--seeds", "2"], busy: 1.5, signal: .SIGINT),
        LongCommand(name: "compare-seeds", long: sweepBase + ["--seeds", "10000"], short: sweepBase + ["--seeds", "4"], busy: 1.5,
                    signal: .SIGINT),
        LongCommand(name: "scaling-sweep", long: scalingSweep + ["--dims", "1024,4096", "--t-end", "10000"],
                    short: ["scaling", "sweep", "--alphas", "1", "--r", "16", "--widths", "8", "--dims", "1024", "--t-end", "10"],
                    busy: 1.0, signal: .SIGHUP),
        LongCommand(name: "scaling-compute", long: compute + ["--widths", "2,4,8", "--t-end", "80"],
                    short: compute + ["--widths", "2,4", "--t-end", "0.5"], busy: 0.8, signal: .SIGTERM),
    ]
}

/// The `config` object of a JSON report (or `stats` for integrate), and the report itself.
func reportStatus(_ name: String, _ object: [String: Any]) -> String? {
    let holder = name == "integrate" ? object["stats"] : object["config"]
    return (holder as? [String: Any])?["status"] as? String
}

@Suite("Stop signals: every long command stops, writes its partial outputs and exits 130", .serialized)
struct SignalTests {
    /// Runs `arguments` in a fresh folder with `--output report.json --npy-dir npy`.
    func start(_ arguments: [String], in folder: URL) throws -> ChildProcess {
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("npy"), withIntermediateDirectories: true)
        return try startRiccati(arguments + ["--format", "json", "--output", "report.json", "--npy-dir", "npy", "--plot", "plot.svg"], in: folder)
    }

    func report(in folder: URL) throws -> [String: Any] {
        let data = try Data(contentsOf: folder.appendingPathComponent("report.json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test("a long command stops on the signal with partial outputs marked interrupted; unsignalled, it completes",
          arguments: LongCommand.all)
    func stopsOnSignal(command: LongCommand) throws {
        let root = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }

        // Negative control: the small twin, no signal, completes.
        let control = root.appendingPathComponent("control")
        let finished = try start(command.short, in: control)
        let finishedTermination = finished.wait()
        let controlError = try String(contentsOf: control.appendingPathComponent("stderr.txt"), encoding: .utf8)
        #expect(finishedTermination == .exited(0), "\(controlError)")
        let controlReport = try report(in: control)
        #expect(reportStatus(command.name, controlReport) == (command.name == "integrate" ? "success" : "completed"))

        let folder = root.appendingPathComponent("signalled")
        let process = try start(command.long, in: folder)
        waitUntilBusy(process, cpu: command.busy)
        #expect(process.isRunning, "\(command.name) finished before the signal")
        let latency = stop(process, with: command.signal.number)
        print("stop latency \(command.testDescription): \(String(format: "%.3f", latency)) s")
        #expect(process.wait() == .exited(130))
        #expect(latency < stopLatencyBound)
        let stderr = try String(contentsOf: folder.appendingPathComponent("stderr.txt"), encoding: .utf8)
        #expect(stderr.hasPrefix("riccati: interrupted by \(command.signal.rawValue)"), "\(stderr)")
        #expect(stderr.filter { $0 == "\n" }.count == 1, "\(stderr)")
        let object = try report(in: folder)
        #expect(reportStatus(command.name, object) == "interrupted")
        // The --npy-dir sidecar carries the same configuration.
        let sidecar = try String(contentsOf: folder.appendingPathComponent("npy/config.json"), encoding: .utf8)
        #expect(command.name == "integrate" || sidecar.contains("\"interrupted\""))
        let arrays = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("npy").path).filter { $0.hasSuffix(".npy") }
        #expect(!arrays.isEmpty)
        // The figure of the partial data (integrate draws one only once a save time > 0 was reached).
        #expect(command.name == "integrate" || FileManager.default.fileExists(atPath: folder.appendingPathComponent("plot.svg").path))
        #expect(FileManager.default.fileExists(atPath: control.appendingPathComponent("plot.svg").path))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".tmp") }
        #expect(leftovers.isEmpty)

        // What each partial report holds: less than the full run, more than nothing.
        switch command.name {
        case "integrate":
            let times = (object["times"] as? [Double])?.count ?? 0
            #expect(times >= 1 && times < 13)
        case "monotonicity":
            // 13 save times (0 and 12); the exact propagator runs first, then dopri5: the last
            // method run compares fewer times, or dopri5 did not run.
            let methods = try #require(object["methods"] as? [String: Any])
            let relations = methods.values.map { (($0 as? [String: Any])?["relation"] as? [Any])?.count ?? 0 }
            #expect((object["times"] as? [Double])?.count ?? 0 >= 2)
            #expect(relations.reduce(0, +) < 26, "\(relations)")
            // Either the first method (exact) was stopped, or the later one (dopri5), which is then left out.
            #expect(stderr.contains("the outputs compare the save times reached")
                    || stderr.contains("dopri5 stopped at save time t = ") && stderr.contains("is left out; the outputs hold the finished method(s) exact"))
            #expect(methods.count == 1 || relations.allSatisfy { $0 == relations[0] }, "\(relations)")
        case "compare":
            let times = (object["times"] as? [Double])?.count ?? 0
            #expect(times >= 1 && times < 101)
        case "compare-lr-sweep":
            // The main comparison is complete (its 20 saves, 0 and the last step), the sweep is not.
            #expect((object["times"] as? [Double])?.count == 21)
            let points = try #require(object["sweep"] as? [[String: Any]])
            let seeds = points.reduce(0) { $0 + (($1["seeds"] as? [Any])?.count ?? 0) }
            #expect(seeds >= 1 && seeds < 6, "\(seeds) sweep runs finished")
            #expect(stderr.contains("during the --lr-sweep"))
            // Control: the finished sweep holds every rate and seed.
            let controlPoints = try #require(controlReport["sweep"] as? [[String: Any]])
            #expect(controlPoints.count == 2 && controlPoints.allSatisfy { ($0["seeds"] as? [Any])?.count == 2 })
        case "compare-seeds":
            let config = try #require(object["config"] as? [String: Any])
            let completed = try #require(config["seedsCompleted"] as? Int)
            #expect(completed >= 1 && completed < 10_000 && config["seeds"] as? Int == 10_000)
            #expect((object["seeds"] as? [Any])?.count == completed)
            #expect(stderr.contains("of 10000 seeds"))
            #expect((controlReport["seeds"] as? [Any])?.count == 4)
        case "scaling-sweep":
            let completed = try #require((object["config"] as? [String: Any])?["pointsCompleted"] as? Int)
            #expect(completed < 40 && (object["points"] as? [Any])?.count == completed)
        case "scaling-compute":
            let curves = (object["curves"] as? [Any])?.count ?? 0
            #expect(curves >= 1 && curves <= 3)
        default:
            Issue.record("unknown command \(command.name)")
        }
    }

    /// SIGHUP (a closed terminal, a dropped SSH session) to `riccati sgd --checkpoint`: the final
    /// checkpoint is written at the step the run stopped (later than the last periodic one), the
    /// outputs are marked interrupted, and `--resume` completes the run bit-identically.
    @Test("sgd: SIGHUP writes a final checkpoint newer than the periodic ones; --resume is bit-identical")
    func sgdHangUp() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let sgd = InterruptionTests.sgd.map { $0 == "4000" ? "1500" : $0 }
        let full = try runRiccati(sgd + ["--output", folder.appendingPathComponent("full.json").path])
        #expect(full.status == 0)
        let checkpoint = folder.appendingPathComponent("run.ckpt")
        let process = try startRiccati(sgd + ["--output", "partial.json", "--checkpoint", checkpoint.path, "--checkpoint-every", "100"], in: folder)
        // Under way: a periodic checkpoint after step 200 exists.
        var periodicStep = 0
        let deadline = Date().addingTimeInterval(60)
        while process.isRunning, Date() < deadline {
            if let data = try? Data(contentsOf: checkpoint), let saved = try? SGDCheckpointFormat.decode([UInt8](data)) {
                periodicStep = saved.step
                if periodicStep >= 200 { break }
            }
            usleep(10_000)
        }
        #expect(process.isRunning && periodicStep >= 200, "the run ended before it could be interrupted")
        let periodicWritten = try FileManager.default.attributesOfItem(atPath: checkpoint.path)[.modificationDate] as? Date
        usleep(500_000)   // a few hundred steps past that periodic checkpoint
        let latency = stop(process, with: SIGHUP)
        print("stop latency sgd ← SIGHUP: \(String(format: "%.3f", latency)) s")
        #expect(process.wait() == .exited(130))
        #expect(latency < stopLatencyBound)
        let stderr = try String(contentsOf: folder.appendingPathComponent("stderr.txt"), encoding: .utf8)
        #expect(stderr.hasPrefix("riccati: interrupted by SIGHUP: after step ") && stderr.filter { $0 == "\n" }.count == 1, "\(stderr)")
        let partial = try String(contentsOf: folder.appendingPathComponent("partial.json"), encoding: .utf8)
        let config = try #require((try JSONSerialization.jsonObject(with: Data(partial.utf8)) as? [String: Any])?["config"] as? [String: Any])
        #expect(config["status"] as? String == "interrupted")
        let finalStep = try #require(config["finalStep"] as? Int)
        // The final checkpoint: at the step the run stopped, not the last periodic one.
        let final = try SGDCheckpointFormat.decode([UInt8](try Data(contentsOf: checkpoint)))
        #expect(final.step == finalStep)
        #expect(final.step > periodicStep)
        let finalWritten = try FileManager.default.attributesOfItem(atPath: checkpoint.path)[.modificationDate] as? Date
        #expect(finalWritten != nil && periodicWritten != nil && finalWritten! >= periodicWritten!)
        #expect(final.step < 1500)
        #expect(final.blasKernel != nil)

        let resumed = try runRiccati(sgd + ["--output", folder.appendingPathComponent("resumed.json").path, "--resume", checkpoint.path])
        #expect(resumed.status == 0 && resumed.standardError.isEmpty, "\(resumed.standardError)")
        let fullText = try String(contentsOf: folder.appendingPathComponent("full.json"), encoding: .utf8)
        let resumedText = try String(contentsOf: folder.appendingPathComponent("resumed.json"), encoding: .utf8)
        #expect(outputHash(try resultFields(fullText)) == outputHash(try resultFields(resumedText)))
        // Negative control: the partial report's results differ from the full run's.
        #expect(outputHash(try resultFields(fullText)) != outputHash(try resultFields(partial)))
    }

    /// `riccati sgd --resume` on another OpenBLAS kernel (forced with `OPENBLAS_CORETYPE` on
    /// Debian's DYNAMIC_ARCH OpenBLAS) continues, warns once on stderr that the results will not
    /// be bit-identical, and records both kernels; on the same kernel it is silent.
    @Test("--resume on another OpenBLAS kernel warns once and records both kernels")
    func resumeOnAnotherKernel() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        func run(_ arguments: [String], coreType: String) throws -> (status: Int32, stderr: String) {
            var environment = ProcessInfo.processInfo.environment
            environment["OPENBLAS_CORETYPE"] = coreType
            let run = try ChildProcess.run(try riccatiExecutable().path, arguments, environment: environment, workingDirectory: folder.path)
            return (run.termination.shellStatus, run.standardErrorText)
        }
        let short = InterruptionTests.sgd.map { $0 == "4000" ? "300" : $0 }
        let written = try run(short + ["--checkpoint", "run.ckpt", "--checkpoint-every", "100", "--output", "first.json"], coreType: "Prescott")
        #expect(written.status == 0)
        let saved = try SGDCheckpointFormat.decode([UInt8](try Data(contentsOf: folder.appendingPathComponent("run.ckpt"))))
        guard saved.blasKernel?.core == "Prescott" else {
            // An OpenBLAS built for one CPU ignores OPENBLAS_CORETYPE: the library-level tests cover the field.
            let core = saved.blasKernel?.core ?? "unknown"
            Issue.record("OPENBLAS_CORETYPE=Prescott was not honoured (kernel \(core)); this OpenBLAS is not DYNAMIC_ARCH")
            return
        }
        #expect(saved.step == 200)

        let other = try run(short + ["--resume", "run.ckpt", "--output", "other.json"], coreType: "Haswell")
        #expect(other.status == 0)
        #expect(other.stderr.hasPrefix("riccati: warning: --resume run.ckpt: the checkpoint was written with OpenBLAS kernel Prescott "
                                       + "and this run uses Haswell; the results will not be bit-identical"), "\(other.stderr)")
        #expect(other.stderr.filter { $0 == "\n" }.count == 1)
        let otherConfig = try #require((try JSONSerialization.jsonObject(
            with: Data(contentsOf: folder.appendingPathComponent("other.json"))) as? [String: Any])?["config"] as? [String: Any])
        #expect(otherConfig["resumedFromBlasCore"] as? String == "Prescott")
        #expect(otherConfig["blasCore"] as? String == "Haswell")
        #expect(otherConfig["status"] as? String == "completed")

        // Negative control: the same kernel resumes silently.
        let same = try run(short + ["--resume", "run.ckpt", "--output", "same.json"], coreType: "Prescott")
        #expect(same.status == 0 && same.stderr.isEmpty, "\(same.stderr)")
        let sameConfig = try #require((try JSONSerialization.jsonObject(
            with: Data(contentsOf: folder.appendingPathComponent("same.json"))) as? [String: Any])?["config"] as? [String: Any])
        #expect(sameConfig["resumedFromBlasCore"] as? String == "Prescott" && sameConfig["blasCore"] as? String == "Prescott")

        // A version-1 checkpoint (no kernel field) resumes with a warning naming an unknown kernel.
        let old = SGDCheckpointFormat.encode(saved, formatVersion: 1)
        try Data(old).write(to: folder.appendingPathComponent("old.ckpt"))
        let fromOld = try run(short + ["--resume", "old.ckpt", "--output", "old.json"], coreType: "Prescott")
        #expect(fromOld.status == 0)
        #expect(fromOld.stderr.contains("the checkpoint was written with OpenBLAS kernel unknown kernel (a checkpoint of format version 1)"),
                "\(fromOld.stderr)")
    }

    /// The handlers are installed before any input is opened: a `--lambdas` FIFO with no writer
    /// blocks in open(2) with SIGINT, SIGTERM and SIGHUP already caught. The first SIGTERM
    /// interrupts the open (no SA_RESTART); once the input readers treat that as a stop the tool
    /// exits with 130, and a second SIGTERM ends it at once in any case (the default action).
    @Test("a FIFO input with no writer: handlers installed before the open; a second SIGTERM ends the process")
    func fifoWithoutWriter() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let fifo = folder.appendingPathComponent("lambda.fifo").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let process = try startRiccati(["integrate", "--lambdas", fifo, "--rs", "1", "--d", "16", "--t-end", "1"], in: folder)
        // Blocked in the FIFO's open: wait until the handlers show in /proc (SigCgt).
        var caught: UInt64 = 0
        let deadline = Date().addingTimeInterval(20)
        let wanted: UInt64 = (1 << UInt64(SIGINT - 1)) | (1 << UInt64(SIGTERM - 1)) | (1 << UInt64(SIGHUP - 1))
        while process.isRunning, Date() < deadline, caught & wanted != wanted {
            if let status = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8),
               let line = status.split(separator: "\n").first(where: { $0.hasPrefix("SigCgt:") }) {
                caught = UInt64(line.dropFirst("SigCgt:".count).trimmingCharacters(in: .whitespaces), radix: 16) ?? 0
            }
            usleep(10_000)
        }
        #expect(process.isRunning, "riccati did not block on the FIFO")
        #expect(caught & wanted == wanted, "SigCgt \(String(caught, radix: 16))")
        usleep(200_000)
        process.send(SIGTERM)
        if process.wait(timeout: 3) == nil {
            // The reader retried the interrupted open: the second SIGTERM takes the default action.
            let latency = stop(process, with: SIGTERM)
            #expect(latency < stopLatencyBound)
            #expect(process.wait() == .signaled(SIGTERM))
        } else {
            #expect(process.wait() == .exited(130))
            let stderr = try String(contentsOf: folder.appendingPathComponent("stderr.txt"), encoding: .utf8)
            #expect(stderr.hasPrefix("riccati: interrupted by SIGTERM"), "\(stderr)")
        }
    }

    /// `nohup` (SIGHUP ignored when the tool starts): the hang-up stays ignored and the run completes.
    @Test("a SIGHUP ignored at start (nohup) stays ignored; the run completes")
    func nohupKeepsRunning() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let executable = try riccatiExecutable().path
        let sgd = InterruptionTests.sgd.map { $0 == "4000" ? "1500" : $0 }
        let quoted = ([executable] + sgd + ["--output", "out.json"]).map { "'\($0)'" }.joined(separator: " ")
        let process = try ChildProcess(executable: "/bin/sh", arguments: ["-c", "trap '' HUP; exec \(quoted)"], workingDirectory: folder.path)
        waitUntilBusy(process, cpu: 0.5)
        #expect(process.isRunning)
        process.send(SIGHUP)
        #expect(process.wait() == .exited(0))
        let config = try #require((try JSONSerialization.jsonObject(
            with: Data(contentsOf: folder.appendingPathComponent("out.json"))) as? [String: Any])?["config"] as? [String: Any])
        #expect(config["status"] as? String == "completed" && config["finalStep"] as? Int == 1500)
    }

    /// `riccati … | head -c1`: the reader goes away after one byte; the tool ends quietly
    /// (SIGPIPE's default action, as any filter does), with nothing on stderr.
    @Test("a broken pipe on standard output ends the tool quietly")
    func brokenPipe() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let arguments = ["integrate", "--r", "4", "--rs", "2", "--d", "16", "--t-end", "10", "--save-count", "20000", "--format", "csv"]
        let quoted = ([try riccatiExecutable().path] + arguments).map { "'\($0)'" }.joined(separator: " ")
        let shell = try runProcess(URL(fileURLWithPath: "/bin/bash"),
                                   ["-c", "\(quoted) 2>err.txt | head -c1 >/dev/null; echo ${PIPESTATUS[0]} >status.txt"],
                                   in: folder, timeout: 60)
        #expect(shell.status == 0)
        let errors = try String(contentsOf: folder.appendingPathComponent("err.txt"), encoding: .utf8)
        let status = try String(contentsOf: folder.appendingPathComponent("status.txt"), encoding: .utf8)
        #expect(errors.isEmpty, "\(errors)")
        // Killed by SIGPIPE (128 + 13), or done before the reader left.
        #expect(["141\n", "0\n"].contains(status), "\(status)")
        // Control: with a reader, the same command writes every line and exits 0.
        let complete = try runRiccati(arguments, timeout: 60)
        #expect(complete.status == 0 && complete.standardOutput.split(separator: "\n").count > 20_000)
    }
}
