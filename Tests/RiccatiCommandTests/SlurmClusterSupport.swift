import ChildProcesses
import Foundation
import Testing

/// The throwaway single-node Slurm cluster of `.ci/slurm-cluster`, started once for the Slurm
/// suite (``SlurmClusterTrait``) and stopped by the PIDs the script recorded.
enum SlurmCluster {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let script = packageRoot.appendingPathComponent(".ci/slurm-cluster").path

    /// Whether Slurm's daemons and clients and munge are installed (Debian: slurmctld slurmd slurm-client munge).
    static let isInstalled: Bool = {
        let folders = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init) + ["/usr/sbin", "/usr/bin"]
        return ["munged", "slurmctld", "slurmd", "sbatch", "squeue", "scancel"].allSatisfy { name in
            folders.contains { FileManager.default.isExecutableFile(atPath: $0 + "/" + name) }
        }
    }()

    static let skipReason: Comment = "Slurm is not installed (Debian: slurmctld slurmd slurm-client munge; make test installs them): the Slurm backend's tests are skipped"

    /// The running cluster's folder (its `slurm.conf` is `SLURM_CONF`), bound for the tests of a
    /// suite with ``SlurmClusterTrait``: each such suite has a cluster of its own (the script picks
    /// free ports), so suites can run side by side. A thread of a test does not inherit it: read
    /// ``environment`` before starting one.
    @TaskLocal static var folder: URL?

    static var configuration: String { (folder ?? URL(fileURLWithPath: "/nonexistent")).appendingPathComponent("slurm.conf").path }

    /// The environment of a command that talks to the cluster.
    static var environment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["SLURM_CONF"] = configuration
        environment["OPENBLAS_NUM_THREADS"] = "1"
        return environment
    }

    static func start() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("riccati-slurm-\(UUID().uuidString.prefix(8))")
        // This process as the owner: a run killed before its suite ends does not leave the cluster behind.
        let (status, output) = try runScript(["start", folder.path, String(getpid())])
        guard status == 0 else {
            throw ClusterError(message: "the test cluster did not start (exit \(status)): \(output)")
        }
        return folder
    }

    static func stop(_ folder: URL) {
        _ = try? runScript(["stop", folder.path])
        try? FileManager.default.removeItem(at: folder)
    }

    /// Runs the cluster script, its output into a file: the daemons it starts outlive it (and
    /// get none of the test runner's descriptors: a pipe they held would never see its end).
    static func runScript(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("riccati-slurm-script-\(UUID().uuidString).log")
        defer { try? FileManager.default.removeItem(at: log) }
        // One open file for both streams, as `>log 2>&1` gives: one offset, lines in order.
        let logFile = open(log.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard logFile >= 0 else { throw ClusterError(message: "cannot create \(log.path): \(String(cString: strerror(errno)))") }
        defer { close(logFile) }
        let child: ChildProcess
        do {
            child = try ChildProcess(executable: "/bin/bash", arguments: [script] + arguments, standardOutput: .descriptor(logFile),
                                     standardError: .descriptor(logFile))
        } catch {
            throw ClusterError(message: "cannot run \(script): \(error)")
        }
        let status = child.wait().shellStatus
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        return (status, output)
    }

    struct ClusterError: Error, CustomStringConvertible { let message: String; var description: String { message } }
}

/// Starts a cluster of the suite's own before its tests and stops it after them.
struct SlurmClusterTrait: SuiteTrait, TestScoping {
    var isRecursive: Bool { false }

    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        let folder = try SlurmCluster.start()
        defer { SlurmCluster.stop(folder) }
        try await SlurmCluster.$folder.withValue(folder) { try await function() }
    }
}

extension Trait where Self == SlurmClusterTrait {
    static var slurmCluster: SlurmClusterTrait { SlurmClusterTrait() }
}

/// Runs `riccati` with `environment` (the cluster's `SLURM_CONF`, or a `PATH` without Slurm).
func runRiccati(_ arguments: [String], environment: [String: String], in directory: URL? = nil, timeout: TimeInterval) throws -> CommandRun {
    try runProcess(try riccatiExecutable(), arguments, in: directory, timeout: timeout, environment: environment)
}

/// Runs a Slurm client command against the test cluster (`scancel`, `squeue`).
func runSlurmClient(_ name: String, _ arguments: [String]) throws -> CommandRun {
    try runProcess(URL(fileURLWithPath: "/usr/bin/env"), [name] + arguments, timeout: 60, environment: SlurmCluster.environment)
}

/// A report's text without the lines of its timings (the statistics measured in seconds and the
/// rates derived from them): what a Slurm run and a local run share byte for byte, every other
/// number and the configuration included.
func withoutTimings(_ text: String) -> String {
    let timed = ["\"solveSeconds\"", "\"stepsPerSecond\"", "\"seconds\"", "\"gemmSeconds\"", "\"rngSeconds\"", "\"gemmGflops\"",
                 "\"rngNanosPerSample\""]
    return text.split(separator: "\n", omittingEmptySubsequences: false)
        .filter { line in !timed.contains { line.contains($0) } }
        .joined(separator: "\n")
}
