import Foundation
import Testing

/// `--backend slurm` against a real single-node Slurm on localhost (``SlurmCluster``): results
/// merged from array tasks are bit-identical to local runs, a cancelled task is named and
/// `sweep resubmit` completes the sweep, and nothing is submitted on bad input.
@Suite(.serialized, .enabled(if: SlurmCluster.isInstalled, SlurmCluster.skipReason), .slurmCluster)
struct SlurmBackendTests {
    /// The 8-point sweep of the tests: 2 α × 2 widths × 2 seeds, exact propagator.
    static let sweep = ["scaling", "sweep", "--r", "16", "--widths", "4,8", "--alphas", "1,1.5", "--dims", "1e6", "--seeds", "0,1",
                        "--save-count", "20", "--format", "json"]
    /// 3 widths of online SGD.
    static let compute = ["scaling", "compute", "--d", "64", "--r", "32", "--widths", "4,8,16", "--t-end", "20", "--lr", "0.05",
                          "--save-count", "12", "--format", "json"]
    static let fast = ["--poll-interval", "0.2"]

    /// Runs `arguments` (a waiting Slurm command) on a thread of its own against the suite's
    /// cluster; its result is handed over when it ends (it is killed after 300 s).
    static func startWaiting(_ arguments: [String]) -> Handover<Result<CommandRun, any Error>> {
        let waiting = Handover<Result<CommandRun, any Error>>()
        let environment = SlurmCluster.environment   // the thread does not inherit the suite's cluster
        Thread { waiting.set(Result { try runRiccati(arguments, environment: environment, timeout: 300) }) }.start()
        return waiting
    }

    /// The first entry of `work/submissions.json` once it appears (within 30 s), `nil` otherwise.
    static func firstSubmission(in work: URL) -> [String: Any]? {
        for _ in 0..<600 {
            if let data = try? Data(contentsOf: work.appendingPathComponent("submissions.json")),
               let list = try? JSONSerialization.jsonObject(with: data) as? [[String: Any]], let first = list.first {
                return first
            }
            usleep(50_000)
        }
        return nil
    }

    /// Every `.npy` file of `folder`, by name.
    func arrays(in folder: URL) throws -> [String: Data] {
        var files: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) where name.hasSuffix(".npy") {
            files[name] = try Data(contentsOf: folder.appendingPathComponent(name))
        }
        return files
    }

    /// Runs `arguments` locally and on Slurm (each with its own `--npy-dir`) and returns both
    /// reports and array folders.
    func runBoth(_ arguments: [String], in root: URL) throws -> (local: String, slurm: String, localArrays: [String: Data], slurmArrays: [String: Data]) {
        let localArrays = root.appendingPathComponent("local-npy"), slurmArrays = root.appendingPathComponent("slurm-npy")
        for folder in [localArrays, slurmArrays] { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) }
        let local = try runRiccati(arguments + ["--npy-dir", localArrays.path], environment: SlurmCluster.environment, timeout: 300)
        #expect(local.status == 0, "local: \(local.standardError)")
        let slurm = try runRiccati(arguments + ["--npy-dir", slurmArrays.path, "--backend", "slurm", "--work-dir", root.appendingPathComponent("work").path]
                                   + Self.fast, environment: SlurmCluster.environment, timeout: 300)
        #expect(slurm.status == 0, "slurm: \(slurm.standardError)")
        return (local.standardOutput, slurm.standardOutput, try arrays(in: localArrays), try arrays(in: slurmArrays))
    }

    @Test func sweepOfEightPointsIsBitIdenticalToLocal() throws {
        let root = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let both = try runBoth(Self.sweep, in: root)
        #expect(!both.local.isEmpty)
        #expect(withoutTimings(both.slurm) == withoutTimings(both.local))
        #expect(both.localArrays.keys.sorted() == ["params", "risk", "risk_additive", "slopes", "times", "window"].map { $0 + ".npy" })
        #expect(both.slurmArrays == both.localArrays)
        // The plan holds 8 points, each with its own result file.
        let results = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("work/results").path)
        #expect(results.filter { $0.hasSuffix(".json") }.count == 8)
        // Control: another seed changes the numbers, so the comparison can fail.
        var other = Self.sweep
        other[other.firstIndex(of: "0,1")!] = "0,2"
        let changed = try runRiccati(other, environment: SlurmCluster.environment, timeout: 300)
        #expect(changed.status == 0)
        #expect(withoutTimings(changed.standardOutput) != withoutTimings(both.local))
    }

    @Test func computeOfThreeWidthsIsBitIdenticalToLocal() throws {
        let root = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let both = try runBoth(Self.compute, in: root)
        #expect(withoutTimings(both.slurm) == withoutTimings(both.local))
        #expect(both.slurmArrays.count == 7)
        #expect(both.slurmArrays == both.localArrays)
        // Control: a different learning rate gives other numbers.
        var other = Self.compute
        other[other.firstIndex(of: "0.05")!] = "0.04"
        let changed = try runRiccati(other, environment: SlurmCluster.environment, timeout: 300)
        #expect(changed.status == 0)
        #expect(withoutTimings(changed.standardOutput) != withoutTimings(both.local))
    }

    /// One array task cancelled while pending: the waiting command names the point (exit 4),
    /// `sweep status` names it too (exit 4), and `sweep resubmit` runs it alone and ends with
    /// the local run's result.
    @Test func cancelledTaskIsNamedAndResubmitCompletesTheSweep() throws {
        let root = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let work = root.appendingPathComponent("work")
        let local = try runRiccati(Self.sweep, environment: SlurmCluster.environment, timeout: 300)
        #expect(local.status == 0)
        // At most one task at a time, so the last point is still pending when it is cancelled.
        let waiting = Self.startWaiting(Self.sweep + ["--backend", "slurm", "--work-dir", work.path, "--array-limit", "1"] + Self.fast)
        let submissions = work.appendingPathComponent("submissions.json")
        let job = try #require(Self.firstSubmission(in: work)?["arrayJob"] as? String)
        let cancel = try runSlurmClient("scancel", ["\(job)_7"])
        #expect(cancel.status == 0, "\(cancel.standardError)")
        while waiting.value == nil { usleep(100_000) }   // the run itself is killed after 300 s
        let run = try #require(waiting.value).get()
        #expect(run.status == 4, "exit \(run.status): \(run.standardError)")
        #expect(run.standardError.contains("point 7 (alpha=1.5 r=16 rs=8 d=1000000 seed=1)"), "\(run.standardError)")
        #expect(run.standardError.contains("1 of 8 points"), "\(run.standardError)")
        #expect(run.standardError.contains("riccati sweep resubmit"), "\(run.standardError)")
        #expect(run.standardOutput.isEmpty)

        let status = try runRiccati(["sweep", "status", work.path], environment: SlurmCluster.environment, timeout: 60)
        #expect(status.status == 4)
        #expect(status.standardOutput.contains("points: 7/8 done"), "\(status.standardOutput)")
        #expect(status.standardOutput.contains("point 7 (alpha=1.5 r=16 rs=8 d=1000000 seed=1): no result"), "\(status.standardOutput)")

        let merge = try runRiccati(["sweep", "merge", work.path], environment: SlurmCluster.environment, timeout: 60)
        #expect(merge.status == 4, "a merge with a point missing must fail: \(merge.standardError)")

        let resubmit = try runRiccati(["sweep", "resubmit", work.path, "--poll-interval", "0.2"], environment: SlurmCluster.environment, timeout: 300)
        #expect(resubmit.status == 0, "\(resubmit.standardError)")
        #expect(withoutTimings(resubmit.standardOutput) == withoutTimings(local.standardOutput))
        let recorded = try JSONSerialization.jsonObject(with: Data(contentsOf: submissions)) as? [[String: Any]]
        #expect(recorded?.count == 2)
        #expect(recorded?.last?["indices"] as? [Int] == [7], "only the missing point runs again")

        let done = try runRiccati(["sweep", "status", work.path], environment: SlurmCluster.environment, timeout: 60)
        #expect(done.status == 0)
        #expect(done.standardOutput.contains("points: 8/8 done"))
    }

    /// A damaged result is named by `status` and `merge`, and `resubmit` reruns that point only.
    @Test func damagedResultIsRerun() throws {
        let root = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let work = root.appendingPathComponent("work")
        let first = try runRiccati(Self.compute + ["--backend", "slurm", "--work-dir", work.path] + Self.fast,
                                   environment: SlurmCluster.environment, timeout: 300)
        #expect(first.status == 0, "\(first.standardError)")
        let result = work.appendingPathComponent("results/point-1.json")
        let bytes = try Data(contentsOf: result)
        try bytes.prefix(bytes.count / 2).write(to: result)
        let status = try runRiccati(["sweep", "status", work.path], environment: SlurmCluster.environment, timeout: 60)
        #expect(status.status == 4)
        #expect(status.standardOutput.contains("point 1 (rs=8"), "\(status.standardOutput)")
        #expect(status.standardOutput.contains("damaged result"), "\(status.standardOutput)")
        let merge = try runRiccati(["sweep", "merge", work.path], environment: SlurmCluster.environment, timeout: 60)
        #expect(merge.status == 4)
        #expect(merge.standardError.contains("point 1"), "\(merge.standardError)")
        let resubmit = try runRiccati(["sweep", "resubmit", work.path, "--poll-interval", "0.2"], environment: SlurmCluster.environment, timeout: 300)
        #expect(resubmit.status == 0, "\(resubmit.standardError)")
        #expect(withoutTimings(resubmit.standardOutput) == withoutTimings(first.standardOutput))
    }

    /// `--dry-run` writes the plan and the scripts, prints one cost line per task, and submits nothing.
    @Test func dryRunSubmitsNothing() throws {
        let root = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let work = root.appendingPathComponent("work")
        let before = try runSlurmClient("squeue", ["--noheader", "--states=all", "--format=%i"])
        let run = try runRiccati(Self.sweep + ["--backend", "slurm", "--work-dir", work.path, "--dry-run", "--array-limit", "3",
                                               "--slurm-args", "--time=10:00 --partition=debug"],
                                 environment: SlurmCluster.environment, timeout: 60)
        #expect(run.status == 0, "\(run.standardError)")
        let taskLines = run.standardOutput.split(separator: "\n").filter { $0.contains(" alpha=") }
        #expect(taskLines.count == 8, "\(run.standardOutput)")
        #expect(run.standardOutput.contains("--array=0-7%3 --time=10:00 --partition=debug"), "\(run.standardOutput)")
        let script = try String(contentsOf: work.appendingPathComponent("sweep-array.sh"), encoding: .utf8)
        #expect(script.contains("#SBATCH --array=0-7%3"))
        #expect(script.hasPrefix("#!/bin/bash\n"))
        #expect(FileManager.default.fileExists(atPath: work.appendingPathComponent("plan.json").path))
        #expect(!FileManager.default.fileExists(atPath: work.appendingPathComponent("submissions.json").path))
        let after = try runSlurmClient("squeue", ["--noheader", "--states=all", "--format=%i"])
        #expect(after.standardOutput == before.standardOutput, "a job was submitted")
    }

    /// A work directory holding another sweep's plan is refused (exit 2) before anything is submitted.
    @Test func anotherSweepsPlanIsRefused() throws {
        let root = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let work = root.appendingPathComponent("work")
        let planned = try runRiccati(Self.sweep + ["--backend", "slurm", "--work-dir", work.path, "--dry-run"],
                                     environment: SlurmCluster.environment, timeout: 60)
        #expect(planned.status == 0)
        let plan = try Data(contentsOf: work.appendingPathComponent("plan.json"))
        let before = try runSlurmClient("squeue", ["--noheader", "--states=all", "--format=%i"])
        var other = Self.sweep
        other[other.firstIndex(of: "4,8")!] = "4,6"
        let run = try runRiccati(other + ["--backend", "slurm", "--work-dir", work.path] + Self.fast, environment: SlurmCluster.environment, timeout: 60)
        #expect(run.status == 2, "exit \(run.status): \(run.standardError)")
        #expect(run.standardError.contains("holds the plan of another sweep"), "\(run.standardError)")
        #expect(run.standardError.split(separator: "\n").count == 1)
        #expect(try Data(contentsOf: work.appendingPathComponent("plan.json")) == plan, "the other plan was changed")
        let after = try runSlurmClient("squeue", ["--noheader", "--states=all", "--format=%i"])
        #expect(after.standardOutput == before.standardOutput, "a job was submitted")
        // Control: the same sweep with only run-only flags changed is the same plan, not refused.
        let same = try runRiccati(Self.sweep + ["--backend", "slurm", "--work-dir", work.path, "--dry-run", "--array-limit", "2"],
                                  environment: SlurmCluster.environment, timeout: 60)
        #expect(same.status == 0, "\(same.standardError)")
    }

    /// A controller that does not answer: one line, exit 5, no work directory created.
    @Test func unreachableControllerSubmitsNothing() throws {
        let root = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let configuration = try String(contentsOfFile: SlurmCluster.configuration, encoding: .utf8)
        let unreachable = configuration.split(separator: "\n").map { $0.hasPrefix("SlurmctldPort=") ? "SlurmctldPort=9" : String($0) }
            .joined(separator: "\n") + "\n"
        let conf = root.appendingPathComponent("slurm.conf")
        try unreachable.write(to: conf, atomically: true, encoding: .utf8)
        var environment = SlurmCluster.environment
        environment["SLURM_CONF"] = conf.path
        let work = root.appendingPathComponent("work")
        let run = try runRiccati(Self.sweep + ["--backend", "slurm", "--work-dir", work.path], environment: environment, timeout: 120)
        #expect(run.status == 5, "exit \(run.status): \(run.standardError)")
        #expect(run.standardError.hasPrefix("riccati: the Slurm controller cannot be reached"), "\(run.standardError)")
        #expect(run.standardError.split(separator: "\n").count == 1)
        #expect(!FileManager.default.fileExists(atPath: work.path))
    }
}

/// No `sbatch` on `PATH`: one line, exit 5, nothing created. Needs no Slurm at all.
@Test func slurmBackendWithoutSbatchSubmitsNothing() throws {
    let root = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: root) }
    var environment = ProcessInfo.processInfo.environment
    environment["PATH"] = root.path   // an empty folder
    let work = root.appendingPathComponent("work")
    let run = try runRiccati(SlurmBackendTests.sweep + ["--backend", "slurm", "--work-dir", work.path], environment: environment, timeout: 60)
    #expect(run.status == 5, "exit \(run.status): \(run.standardError)")
    #expect(run.standardError == "riccati: --backend slurm: no sbatch on PATH (Slurm's client commands sbatch, squeue and scancel are needed)\n")
    #expect(!FileManager.default.fileExists(atPath: work.path))
    // Control: with --dry-run no Slurm is needed, and the plan is written.
    let dry = try runRiccati(SlurmBackendTests.sweep + ["--backend", "slurm", "--work-dir", work.path, "--dry-run"], environment: environment, timeout: 60)
    #expect(dry.status == 0, "\(dry.standardError)")
    #expect(FileManager.default.fileExists(atPath: work.appendingPathComponent("plan.json").path))
}


/// The `sweep` subcommands on a folder without a plan, and a task index outside the plan: one
/// line, exit code 2, nothing written. Needs no Slurm (the plan comes from a dry run).
@Test func sweepSubcommandsRefuseBadWorkDirectories() throws {
    let root = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: root) }
    for command in [["status"], ["merge"], ["resubmit"], ["task"]] {
        let run = try runRiccati(["sweep"] + command + [root.path] + (command == ["task"] ? ["0"] : []), timeout: 60)
        #expect(run.status == 2, "\(command): exit \(run.status): \(run.standardError)")
        #expect(run.standardError.contains("not the work directory of a sweep"), "\(run.standardError)")
        #expect(run.standardError.split(separator: "\n").count == 1)
    }
    let work = root.appendingPathComponent("work")
    let dry = try runRiccati(SlurmBackendTests.sweep + ["--backend", "slurm", "--work-dir", work.path, "--dry-run"], timeout: 60)
    #expect(dry.status == 0, "\(dry.standardError)")
    let outside = try runRiccati(["sweep", "task", work.path, "8"], timeout: 60)
    #expect(outside.status == 2, "\(outside.standardError)")
    #expect(outside.standardError.contains("point index 8 is not in the plan"), "\(outside.standardError)")
    let results = try FileManager.default.contentsOfDirectory(atPath: work.appendingPathComponent("results").path)
    #expect(results.isEmpty, "\(results)")
    // Control: index 3 is in the plan and its task writes exactly its own result, here, without Slurm.
    let inside = try runRiccati(["sweep", "task", work.path, "3"], timeout: 120)
    #expect(inside.status == 0, "\(inside.standardError)")
    #expect(try FileManager.default.contentsOfDirectory(atPath: work.appendingPathComponent("results").path) == ["point-3.json"])
    let status = try runRiccati(["sweep", "status", work.path], timeout: 60)
    #expect(status.standardOutput.contains("points: 1/8 done"), "\(status.standardOutput)")
}

extension SlurmBackendTests {
    /// The merge cancelled while the tasks are still held in the queue: the waiting command keeps
    /// waiting for them instead of calling them lost; once they ran, it says that only the merge is
    /// missing (exit 4), `status` says the same, and `resubmit` runs the merge alone.
    @Test func mergeCancelledWhileTasksAreQueued() throws {
        let root = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let work = root.appendingPathComponent("work")
        let local = try runRiccati(Self.compute, environment: SlurmCluster.environment, timeout: 300)
        let environment = SlurmCluster.environment
        let waiting = Self.startWaiting(Self.compute + ["--backend", "slurm", "--work-dir", work.path, "--slurm-args", "--hold"] + Self.fast)
        let submission = Self.firstSubmission(in: work)
        let arrayJob = try #require(submission?["arrayJob"] as? String), mergeJob = try #require(submission?["mergeJob"] as? String)
        #expect(try runSlurmClient("scancel", [mergeJob]).status == 0)
        sleep(2)
        #expect(waiting.value == nil, "the command stopped waiting while its tasks were held: \(String(describing: waiting.value))")
        #expect(try runSlurmClient("scontrol", ["release", arrayJob]).status == 0)
        while waiting.value == nil { usleep(100_000) }
        let run = try #require(waiting.value).get()
        #expect(run.status == 4, "exit \(run.status): \(run.standardError)")
        #expect(run.standardError.contains("every point has its result, but the merge job \(mergeJob) ended"), "\(run.standardError)")
        let status = try runRiccati(["sweep", "status", work.path], environment: environment, timeout: 60)
        #expect(status.status == 4)
        #expect(status.standardOutput.contains("merge: failed"), "\(status.standardOutput)")
        let resubmit = try runRiccati(["sweep", "resubmit", work.path, "--slurm-args", "", "--poll-interval", "0.2"],
                                      environment: environment, timeout: 300)
        #expect(resubmit.status == 0, "\(resubmit.standardError)")
        #expect(withoutTimings(resubmit.standardOutput) == withoutTimings(local.standardOutput))
        let recorded = try JSONSerialization.jsonObject(with: Data(contentsOf: work.appendingPathComponent("submissions.json"))) as? [[String: Any]]
        #expect(recorded?.last?["indices"] as? [Int] == [], "only the merge runs again")
    }
}
