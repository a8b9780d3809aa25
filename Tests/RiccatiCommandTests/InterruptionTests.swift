import ChildProcesses
import Foundation
import Testing

/// 64-bit FNV-1a of a byte string (output fingerprints).
func outputHash(_ data: Data) -> UInt64 {
    var hash: UInt64 = 0xCBF2_9CE4_8422_2325
    for byte in data { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
    return hash
}

/// The fields of an SGD JSON report that carry results (not timing), serialised canonically.
func resultFields(_ json: String) throws -> Data {
    let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    let kept = ["times", "steps", "risk", "alignment", "learned"].reduce(into: [String: Any]()) { $0[$1] = object[$1] }
    return try JSONSerialization.data(withJSONObject: kept, options: [.sortedKeys])
}

/// Starts `riccati` without waiting, with output to files.
func startRiccati(_ arguments: [String], in folder: URL) throws -> ChildProcess {
    try ChildProcess(executable: try riccatiExecutable().path, arguments: arguments, workingDirectory: folder.path,
                     standardOutput: .file(folder.appendingPathComponent("stdout.txt").path),
                     standardError: .file(folder.appendingPathComponent("stderr.txt").path))
}

@Suite("Interruption, resumption and reproducibility of riccati sgd", .serialized)
struct InterruptionTests {
    static let sgd = ["sgd", "--d", "400", "--rs", "6", "--r", "12", "--batch", "400", "--lr", "0.002", "--steps", "4000",
                      "--save-count", "40", "--seed", "21", "--noise", "0.05", "--format", "json"]

    /// A real SIGINT or SIGTERM: the run finishes its step, writes the checkpoint and the
    /// outputs with the data so far, and exits 130; `--resume` then completes it with results
    /// bit-identical (same hash) to a run that was never interrupted.
    @Test("SIGINT/SIGTERM → checkpoint, partial outputs, exit 130; --resume is bit-identical", arguments: [SIGINT, SIGTERM])
    func interruptAndResume(signalNumber: Int32) throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let uninterrupted = try runRiccati(Self.sgd + ["--output", folder.appendingPathComponent("full.json").path])
        #expect(uninterrupted.status == 0)
        let checkpoint = folder.appendingPathComponent("run.ckpt").path
        let process = try startRiccati(Self.sgd + ["--output", "partial.json", "--npy-dir", ".", "--checkpoint", checkpoint,
                                                   "--checkpoint-every", "100"], in: folder)
        // Wait for the first checkpoint: the run is then well under way.
        let deadline = Date().addingTimeInterval(60)
        while !FileManager.default.fileExists(atPath: checkpoint), process.isRunning, Date() < deadline { usleep(10_000) }
        #expect(process.isRunning, "the run ended before it could be interrupted")
        process.send(signalNumber)
        #expect(process.wait() == .exited(130))
        let stderr = try String(contentsOf: folder.appendingPathComponent("stderr.txt"), encoding: .utf8)
        #expect(stderr.hasPrefix("riccati: interrupted by \(signalNumber == SIGINT ? "SIGINT" : "SIGTERM"): after step "))
        #expect(stderr.filter { $0 == "\n" }.count == 1)
        let partial = try String(contentsOf: folder.appendingPathComponent("partial.json"), encoding: .utf8)
        #expect(partial.contains("\"status\": \"interrupted\""))
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("risk.npy").path))
        // No temporary files are left behind.
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".tmp") }
        #expect(leftovers.isEmpty)

        let resumed = try runRiccati(Self.sgd + ["--output", folder.appendingPathComponent("resumed.json").path, "--resume", checkpoint])
        #expect(resumed.status == 0, "\(resumed.standardError)")
        let full = try String(contentsOf: folder.appendingPathComponent("full.json"), encoding: .utf8)
        let finished = try String(contentsOf: folder.appendingPathComponent("resumed.json"), encoding: .utf8)
        #expect(outputHash(try resultFields(full)) == outputHash(try resultFields(finished)))
        // Negative control: the interrupted report's results differ from the full ones.
        #expect(outputHash(try resultFields(full)) != outputHash(try resultFields(partial)))
    }

    @Test("--resume refuses a checkpoint of another configuration, a corrupt file and a missing one")
    func resumeRefusals() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let short = Self.sgd.map { $0 == "4000" ? "300" : $0 }
        let checkpoint = folder.appendingPathComponent("run.ckpt").path
        #expect(try runRiccati(short + ["--checkpoint", checkpoint, "--checkpoint-every", "100"]).status == 0)
        let output = folder.appendingPathComponent("out.json").path
        let otherRate = try runRiccati(short.map { $0 == "0.002" ? "0.003" : $0 } + ["--resume", checkpoint, "--output", output])
        #expect(otherRate.status == 2)
        #expect(otherRate.standardError == "riccati: --resume \(checkpoint): the checkpoint belongs to another configuration: lr is 0.002 there and 0.003 here\n")
        let otherPrecision = try runRiccati(short + ["--precision", "float", "--resume", checkpoint, "--output", output])
        #expect(otherPrecision.status == 2 && otherPrecision.standardError.contains("precision is double there and float here"))
        var bytes = try Data(contentsOf: URL(fileURLWithPath: checkpoint))
        bytes[bytes.count / 2] ^= 0x01
        let corrupt = folder.appendingPathComponent("corrupt.ckpt").path
        try bytes.write(to: URL(fileURLWithPath: corrupt))
        let corrupted = try runRiccati(short + ["--resume", corrupt, "--output", output])
        #expect(corrupted.status == 2 && corrupted.standardError.contains("checksum mismatch"))
        let missing = try runRiccati(short + ["--resume", folder.appendingPathComponent("nope.ckpt").path, "--output", output])
        #expect(missing.status == 2 && missing.standardError.contains("no such file"))
        let everyAlone = try runRiccati(short + ["--checkpoint-every", "10", "--output", output])
        #expect(everyAlone.status == 2 && everyAlone.standardError.contains("--checkpoint-every needs --checkpoint"))
        #expect(!FileManager.default.fileExists(atPath: output))
        // Negative control: the matching configuration resumes (the checkpoint was taken at step 200).
        let matching = try runRiccati(short + ["--resume", checkpoint, "--output", output])
        #expect(matching.status == 0)
    }

    /// Same seed → same numbers: across runs, across 1 or 2 threads, and with or without
    /// `--plot`/`--npy-dir`; and the `.npy` files of two runs are byte-identical.
    @Test("the same seed gives bit-identical results across runs, thread counts and artifact flags")
    func reproducibility() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let base = Self.sgd.map { $0 == "4000" ? "400" : $0 }
        var hashes = [UInt64]()
        for (index, extra) in [["--threads", "1"], ["--threads", "2"], ["--threads", "2"],
                               ["--threads", "1", "--plot", "a.svg", "--npy-dir", "a"],
                               ["--threads", "2", "--npy-dir", "b"]].enumerated() {
            for directory in ["a", "b"] where extra.contains(directory) {
                try FileManager.default.createDirectory(at: folder.appendingPathComponent(directory), withIntermediateDirectories: true)
            }
            let run = try runProcess(try riccatiExecutable(), base + extra + ["--output", "r\(index).json"], in: folder)
            #expect(run.status == 0, "\(run.standardError)")
            hashes.append(outputHash(try resultFields(try String(contentsOf: folder.appendingPathComponent("r\(index).json"), encoding: .utf8))))
        }
        #expect(Set(hashes).count == 1, "\(hashes)")
        for name in ["risk", "M", "P", "G", "alignment"] {
            let a = try Data(contentsOf: folder.appendingPathComponent("a/\(name).npy"))
            let b = try Data(contentsOf: folder.appendingPathComponent("b/\(name).npy"))
            #expect(outputHash(a) == outputHash(b), "\(name).npy")
        }
        // Negative control: another seed changes the hash.
        let other = try runProcess(try riccatiExecutable(), base.map { $0 == "21" ? "22" : $0 } + ["--output", "other.json"], in: folder)
        #expect(other.status == 0)
        #expect(outputHash(try resultFields(try String(contentsOf: folder.appendingPathComponent("other.json"), encoding: .utf8))) != hashes[0])
    }

    /// Long ODE runs and sweeps: SIGINT ends them with the saves (points) reached so far written
    /// and exit code 130.
    @Test("integrate and scaling sweep stop on SIGINT with partial outputs and exit 130")
    func otherLongRuns() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let runs: [(name: String, arguments: [String])] = [
            ("integrate", ["integrate", "--r", "256", "--rs", "64", "--d", "4096", "--t-end", "20000", "--method", "dopri5",
                           "--format", "json", "--output", "integrate.json"]),
            ("sweep", ["scaling", "sweep", "--alphas", "1,1.5,2", "--r", "64", "--widths", "8,16", "--dims", "1024,4096",
                       "--seeds", "0,1,2,3,4,5,6,7,8,9", "--t-end", "1000", "--factorization", "symmetricRoot",
                       "--format", "json", "--output", "sweep.json"]),   // the slowest factorisation: still running at the signal
            ("compare", ["compare", "--d", "512", "--r", "8", "--rs", "4", "--batch", "512", "--lr", "0.001", "--steps", "40000",
                         "--save-count", "400", "--format", "json", "--output", "compare.json"]),
            ("compute", ["scaling", "compute", "--d", "512", "--r", "8", "--widths", "2,4,8", "--batch", "512", "--lr", "0.002",
                         "--t-end", "80", "--save-count", "400", "--format", "json", "--output", "compute.json"]),
        ]
        for run in runs {
            let process = try startRiccati(run.arguments, in: folder)
            usleep(1_500_000)
            #expect(process.isRunning, "\(run.name) finished before the signal")
            process.send(SIGINT)
            #expect(process.wait() == .exited(130), "\(run.name)")
            let stderr = try String(contentsOf: folder.appendingPathComponent("stderr.txt"), encoding: .utf8)
            #expect(stderr.hasPrefix("riccati: interrupted by SIGINT") && stderr.filter { $0 == "\n" }.count == 1, "\(stderr)")
            let report = try String(contentsOf: folder.appendingPathComponent("\(run.name).json"), encoding: .utf8)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(report.utf8)) as? [String: Any])
            switch run.name {
            case "integrate":
                #expect((object["stats"] as? [String: Any])?["status"] as? String == "interrupted")
                #expect(((object["times"] as? [Double])?.count ?? 99) < 12)   // not every save was reached
            case "sweep":
                let completed = try #require((object["config"] as? [String: Any])?["pointsCompleted"] as? Int)
                #expect(completed < 120 && (object["points"] as? [Any])?.count == completed)
            case "compare":
                #expect((object["config"] as? [String: Any])?["status"] as? String == "interrupted")
                #expect(((object["times"] as? [Double])?.count ?? 999) < 401)
            default:
                #expect(((object["curves"] as? [Any])?.count ?? 9) < 3 || stderr.contains("width(s) run so far"))
            }
        }
    }

    /// `riccati integrate` at r_s = 128: RiccatiKit's own threads (`--threads`, and the exact
    /// propagator's split work) give the same bits for 1 and 2, and so does `OPENBLAS_NUM_THREADS`
    /// set to 1 or 2: the tool runs OpenBLAS on one thread whatever the environment says
    /// (recorded as `blasThreads = 1`).
    @Test("integrate gives bit-identical results for --threads 1 and 2 and for OPENBLAS_NUM_THREADS 1 and 2",
          arguments: [["--method", "exact"], ["--method", "exact", "--factorization", "cholesky"], ["--method", "dopri5"]])
    func integrateAcrossThreadCounts(method: [String]) throws {
        func run(threads: String, openBLAS: String?) throws -> (hash: UInt64, blasThreads: Int?) {
            var environment = ProcessInfo.processInfo.environment
            environment["OPENBLAS_NUM_THREADS"] = openBLAS
            let run = try ChildProcess.run(try riccatiExecutable().path,
                                           ["integrate", "--r", "160", "--rs", "128", "--d", "2048", "--t-end", "100", "--format", "json",
                                            "--threads", threads] + method, environment: environment)
            #expect(run.termination == .exited(0))
            let data = Data(run.standardOutput)
            let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            let kept = ["times", "risk", "alignment", "escapeTimes", "studentGramSpectrum"].reduce(into: [String: Any]()) { $0[$1] = object[$1] }
            return (outputHash(try JSONSerialization.data(withJSONObject: kept, options: [.sortedKeys])),
                    (object["config"] as? [String: Any])?["blasThreads"] as? Int)
        }
        let one = try run(threads: "1", openBLAS: nil), two = try run(threads: "2", openBLAS: nil)
        #expect(one.hash == two.hash)
        #expect(one.blasThreads == 1 && two.blasThreads == 1)
        let environmentOne = try run(threads: "2", openBLAS: "1"), environmentTwo = try run(threads: "2", openBLAS: "2")
        #expect(environmentOne.hash == one.hash && environmentTwo.hash == one.hash)
        #expect(environmentTwo.blasThreads == 1)
    }
}
