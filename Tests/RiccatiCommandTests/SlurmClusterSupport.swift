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

    /// Runs the cluster script by `posix_spawn` and `waitpid`, its output into a file: the daemons
    /// it starts outlive it, and Foundation's `Process` was seen never to notice such a script's exit.
    static func runScript(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("riccati-slurm-script-\(UUID().uuidString).log")
        defer { try? FileManager.default.removeItem(at: log) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = ["/bin/bash", script] + arguments
        var cArguments = argv.map { strdup($0) } + [nil]
        defer { for pointer in cArguments { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, "/bin/bash", &actions, nil, &cArguments, environ)
        guard spawned == 0 else { throw ClusterError(message: "cannot run \(script): \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        let exitCode: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return (exitCode, output)
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
