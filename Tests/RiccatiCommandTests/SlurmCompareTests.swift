import Foundation
import Testing

/// `riccati compare --backend slurm` against a real single-node Slurm on localhost: a
/// learning-rate sweep, a seed ensemble and a plain comparison merged from array tasks are
/// bit-identical to local runs (report text apart from timings, `.npy` files and figure).
@Suite(.serialized, .enabled(if: SlurmCluster.isInstalled, SlurmCluster.skipReason), .slurmCluster)
struct SlurmCompareTests {
    static let base = ["compare", "--d", "32", "--r", "4", "--rs", "2", "--batch", "64", "--lr", "0.05", "--t-end", "2", "--save-count", "8"]
    /// 2 learning rates × 2 seeds and the comparison itself: 5 tasks.
    static let lrSweep = base + ["--lr-sweep", "0.05,0.1", "--seeds", "2", "--format", "json"]
    /// 3 seeds from one W0, with label noise: 3 tasks.
    static let ensemble = base + ["--seeds", "3", "--noise", "0.1", "--format", "table"]
    static let fast = ["--poll-interval", "0.2"]


    /// The outputs of one run: its standard output, its `.npy` files by name and its figure.
    struct Outputs {
        var report: String
        var arrays: [String: Data]
        var plot: Data
    }

    /// Runs `arguments` with `--npy-dir` and `--plot` into `folder`, locally or with `--backend slurm`.
    func run(_ arguments: [String], into folder: URL, slurm: URL? = nil) throws -> Outputs {
        let arrays = folder.appendingPathComponent("npy"), plot = folder.appendingPathComponent("figure.svg")
        try FileManager.default.createDirectory(at: arrays, withIntermediateDirectories: true)
        let backend = slurm.map { ["--backend", "slurm", "--work-dir", $0.path] + Self.fast } ?? []
        let run = try runRiccati(arguments + ["--npy-dir", arrays.path, "--plot", plot.path] + backend,
                                 environment: SlurmCluster.environment, timeout: 300)
        #expect(run.status == 0, "\(slurm == nil ? "local" : "slurm"): exit \(run.status): \(run.standardError)")
        var files: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: arrays.path) where name.hasSuffix(".npy") {
            files[name] = try Data(contentsOf: arrays.appendingPathComponent(name))
        }
        return Outputs(report: run.standardOutput, arrays: files, plot: (try? Data(contentsOf: plot)) ?? Data())
    }

    /// The result files of a work directory.
    func resultCount(_ work: URL) throws -> Int {
        try FileManager.default.contentsOfDirectory(atPath: work.appendingPathComponent("results").path).filter { $0.hasSuffix(".json") }.count
    }

    @Test func learningRateSweepIsBitIdenticalToLocal() throws {
        let root = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let work = root.appendingPathComponent("work")
        let local = try run(Self.lrSweep, into: root.appendingPathComponent("local"))
        let slurm = try run(Self.lrSweep, into: root.appendingPathComponent("slurm"), slurm: work)
        #expect(local.report.contains("\"sweepSlope\""))
        #expect(withoutTimings(slurm.report) == withoutTimings(local.report))
        #expect(local.arrays.keys.contains("sweep_deviation.npy"), "\(local.arrays.keys.sorted())")
        #expect(slurm.arrays == local.arrays)
        #expect(!local.plot.isEmpty)
        #expect(slurm.plot == local.plot)
        #expect(try resultCount(work) == 5, "the comparison and 2 × 2 sweep runs")
        // Control: another learning rate changes the numbers, so the comparison can fail.
        var other = Self.lrSweep
        other[other.firstIndex(of: "0.05,0.1")!] = "0.05,0.08"
        let changed = try run(other, into: root.appendingPathComponent("changed"))
        #expect(withoutTimings(changed.report) != withoutTimings(local.report))
        #expect(changed.arrays["sweep_deviation.npy"] != local.arrays["sweep_deviation.npy"])
    }

    @Test func seedEnsembleIsBitIdenticalToLocal() throws {
        let root = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let work = root.appendingPathComponent("work")
        let local = try run(Self.ensemble, into: root.appendingPathComponent("local"))
        let slurm = try run(Self.ensemble, into: root.appendingPathComponent("slurm"), slurm: work)
        #expect(local.report.contains("3 seeds: mean R_SGD"), "\(local.report)")
        #expect(slurm.report == local.report, "the table holds no timings")
        #expect(local.arrays.keys.contains("risk_sgd_seeds.npy"), "\(local.arrays.keys.sorted())")
        #expect(slurm.arrays == local.arrays)
        #expect(!local.plot.isEmpty)
        #expect(slurm.plot == local.plot)
        #expect(try resultCount(work) == 3, "one result per seed")
        // Control: other label noise changes the numbers.
        var other = Self.ensemble
        other[other.firstIndex(of: "0.1")!] = "0.2"
        let changed = try run(other, into: root.appendingPathComponent("changed"))
        #expect(changed.report != local.report)
        #expect(changed.arrays["risk_sgd_seeds.npy"] != local.arrays["risk_sgd_seeds.npy"])
    }

    /// A plain comparison (no --lr-sweep, no --seeds) is one task; its `--output` file is the local run's.
    @Test func plainComparisonRunsAsOneTask() throws {
        let root = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let work = root.appendingPathComponent("work")
        let arguments = Self.base + ["--format", "json"]
        let localFile = root.appendingPathComponent("local.json"), slurmFile = root.appendingPathComponent("slurm.json")
        let local = try runRiccati(arguments + ["--output", localFile.path], environment: SlurmCluster.environment, timeout: 300)
        #expect(local.status == 0, "\(local.standardError)")
        let slurm = try runRiccati(arguments + ["--output", slurmFile.path, "--backend", "slurm", "--work-dir", work.path] + Self.fast,
                                   environment: SlurmCluster.environment, timeout: 300)
        #expect(slurm.status == 0, "\(slurm.standardError)")
        let localReport = try String(contentsOf: localFile, encoding: .utf8)
        #expect(localReport.contains("\"maxRelativeDeviation\""))
        #expect(withoutTimings(try String(contentsOf: slurmFile, encoding: .utf8)) == withoutTimings(localReport))
        #expect(try resultCount(work) == 1)
    }

    /// `--dry-run` lists one task per SGD run, labelled with its learning rate and seed, and submits nothing.
    @Test func dryRunListsEveryRun() throws {
        let root = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        for (arguments, labels) in [(Self.lrSweep, ["compare lr=0.05 seed=0 steps=40", "sweep lr=0.05 seed=0 steps=40", "sweep lr=0.05 seed=1 steps=40",
                                                    "sweep lr=0.1 seed=0 steps=20", "sweep lr=0.1 seed=1 steps=20"]),
                                    (Self.ensemble, ["ensemble seed=0 steps=40", "ensemble seed=1 steps=40", "ensemble seed=2 steps=40"])] {
            let work = root.appendingPathComponent("work-\(labels.count)")
            let run = try runRiccati(arguments + ["--backend", "slurm", "--work-dir", work.path, "--dry-run"],
                                     environment: SlurmCluster.environment, timeout: 60)
            #expect(run.status == 0, "\(run.standardError)")
            #expect(run.standardOutput.contains("dry run: \(labels.count) task(s) planned"), "\(run.standardOutput)")
            for (index, label) in labels.enumerated() {
                #expect(run.standardOutput.contains("\(index)  \(label) "), "no task line '\(label)': \(run.standardOutput)")
            }
            #expect(run.standardOutput.contains("--array=0-\(labels.count - 1)"), "\(run.standardOutput)")
            #expect(!FileManager.default.fileExists(atPath: work.appendingPathComponent("submissions.json").path))
        }
    }
}
