import ChildProcesses
import Glibc
import Testing

/// `ChildProcess.run`: exit status, both outputs in full, time limits, working directory and
/// environment. Each expectation names a value that a wrong implementation would change.
@Suite("ChildProcess.run")
struct CapturedRunTests {
    @Test func exitStatusAndBothOutputs() throws {
        let failing = try ChildProcess.run("/bin/sh", ["-c", "printf out; printf err >&2; exit 3"])
        #expect(failing.termination == .exited(3) && failing.termination.shellStatus == 3)
        #expect(failing.standardOutputText == "out" && failing.standardErrorText == "err")
        #expect(!failing.timedOut)
        // Control: the same command with exit 0 is told apart.
        let succeeding = try ChildProcess.run("/bin/sh", ["-c", "printf out; exit 0"])
        #expect(succeeding.termination == .exited(0) && succeeding.standardErrorText.isEmpty)
    }

    @Test func deathBySignalIsReportedAsTheShellWould() throws {
        let killed = try ChildProcess.run("/bin/sh", ["-c", "kill -KILL $$"])
        #expect(killed.termination == .signaled(SIGKILL) && killed.termination.shellStatus == 137)
    }

    /// Megabytes on both streams at once: a collector that read one pipe to its end before the
    /// other would leave the child blocked on the full second pipe and never return.
    @Test func largeOutputsOnBothStreamsAreCollectedWhole() throws {
        let script = "i=0; while [ $i -lt 40 ]; do head -c 65536 /dev/zero; head -c 65536 /dev/zero >&2; i=$((i+1)); done"
        let run = try ChildProcess.run("/bin/sh", ["-c", script], timeout: 60, terminationGrace: 0)
        #expect(!run.timedOut)
        #expect(run.standardOutput.count == 40 * 65536 && run.standardError.count == 40 * 65536)
        #expect(run.standardOutput.allSatisfy { $0 == 0 })
    }

    @Test func timeLimitStopsTheChildWithSIGTERM() throws {
        let start = ContinuousClock.now
        let run = try ChildProcess.run("/bin/sleep", ["30"], timeout: 0.3)
        #expect(run.timedOut && run.termination == .signaled(SIGTERM))
        #expect(start.duration(to: .now) < .seconds(10))
        // Control: a child that ends in time is not marked.
        let quick = try ChildProcess.run("/bin/sleep", ["0.05"], timeout: 10)
        #expect(!quick.timedOut && quick.termination == .exited(0))
    }

    /// A shell that ignores SIGTERM gets SIGKILL after the grace; its own child (`sleep`) still
    /// holds the output pipe, and the call must return anyway.
    @Test func childIgnoringSIGTERMIsKilledAndALeftoverHolderOfThePipeDoesNotBlock() throws {
        let start = ContinuousClock.now
        let run = try ChildProcess.run("/bin/sh", ["-c", "trap '' TERM; echo started; sleep 5; echo never"], timeout: 0.3, terminationGrace: 0.3)
        let elapsed = start.duration(to: .now)
        #expect(run.timedOut && run.termination == .signaled(SIGKILL))
        #expect(run.standardOutputText == "started\n")
        #expect(elapsed < .seconds(4), "waited \(elapsed) for a pipe held by the child's child")
    }

    @Test func workingDirectoryAndEnvironmentAreTheChildsOwn() throws {
        let folder = temporaryPath("folder")
        #expect(mkdir(folder, 0o700) == 0)
        defer { rmdir(folder) }
        let place = try ChildProcess.run("/bin/pwd", workingDirectory: folder)
        #expect(place.standardOutputText == folder + "\n")
        // The given environment is the whole environment.
        let given = try ChildProcess.run("/usr/bin/env", environment: ["RICCATI_CHILD_TEST": "given value"])
        #expect(given.standardOutputText == "RICCATI_CHILD_TEST=given value\n")
        // Control: without one, the parent's is passed (PATH is set in any test runner).
        let inherited = try ChildProcess.run("/usr/bin/env")
        #expect(inherited.standardOutputText.split(separator: "\n").contains { $0.hasPrefix("PATH=") })
        #expect(!inherited.standardOutputText.contains("RICCATI_CHILD_TEST"))
    }

    @Test func standardInputFromAFileAndFromNothing() throws {
        let path = temporaryPath("input")
        let file = fopen(path, "w")
        fputs("line one\nline two\n", file)
        fclose(file)
        defer { unlink(path) }
        let fromFile = try ChildProcess.run("/bin/cat", standardInput: .file(path))
        #expect(fromFile.standardOutputText == "line one\nline two\n")
        let fromNull = try ChildProcess.run("/bin/cat")
        #expect(fromNull.termination == .exited(0) && fromNull.standardOutput.isEmpty)
    }

    /// `.pipe` as the input of `run`: the parent's end is closed at once, so `cat` reads an empty
    /// input and ends instead of waiting for the time limit.
    @Test func pipedInputOfRunIsEmpty() throws {
        let start = ContinuousClock.now
        let run = try ChildProcess.run("/bin/cat", standardInput: .pipe, timeout: 30)
        #expect(run.termination == .exited(0) && !run.timedOut && run.standardOutput.isEmpty)
        #expect(start.duration(to: .now) < .seconds(10))
    }

    /// Infinite limits mean none (no trap in a Duration conversion).
    @Test func infiniteTimeLimitsMeanNone() throws {
        let run = try ChildProcess.run("/bin/sh", ["-c", "exit 4"], timeout: .infinity, terminationGrace: .infinity)
        #expect(run.termination == .exited(4) && !run.timedOut)
        let child = try ChildProcess(executable: "/bin/true")
        #expect(child.wait(timeout: .infinity) == .exited(0))
        // Control: a finite limit does stop a long child.
        let stopped = try ChildProcess.run("/bin/sleep", ["30"], timeout: 0.2, terminationGrace: .infinity)
        #expect(stopped.timedOut && stopped.termination == .signaled(SIGTERM))
    }

    /// A process the child leaves behind floods the output pipe: the call still returns once the
    /// child has ended (each pass reads a bounded amount).
    @Test func aFloodingLeftoverDoesNotHoldTheCall() throws {
        let start = ContinuousClock.now
        let run = try ChildProcess.run("/bin/sh", ["-c", "yes & echo $! >&2"], timeout: 30)
        let elapsed = start.duration(to: .now)
        let leftover = try #require(Int32(run.standardErrorText.split(separator: "\n").first ?? ""))
        kill(leftover, SIGKILL)
        #expect(run.termination == .exited(0) && !run.timedOut)
        #expect(elapsed < .seconds(10), "returned after \(elapsed)")
    }

    @Test func failuresToStartAreStructuredErrors() {
        #expect(throws: ChildProcessError.spawnFailed(executable: "/nonexistent/riccati-tool", errno: ENOENT)) {
            try ChildProcess.run("/nonexistent/riccati-tool")
        }
        #expect(throws: ChildProcessError.spawnFailed(executable: "/bin/true", errno: ENOENT)) {
            try ChildProcess.run("/bin/true", workingDirectory: "/nonexistent/folder")
        }
        #expect(throws: ChildProcessError.fileFailed(path: "/nonexistent/input", errno: ENOENT)) {
            try ChildProcess.run("/bin/cat", standardInput: .file("/nonexistent/input"))
        }
        #expect(ChildProcessError.spawnFailed(executable: "/x", errno: ENOENT).description == "cannot run /x: No such file or directory")
    }

    /// Many launches from several threads at once, each checked for its own output: the pattern
    /// that crashed Foundation's `Process.run()` in this project's test runs.
    @Test func concurrentLaunchesEachGetTheirOwnOutput() async throws {
        let results = try await withThrowingTaskGroup(of: (Int, String).self) { group in
            for task in 0..<8 {
                group.addTask {
                    var last = ""
                    for index in 0..<25 {
                        let run = try ChildProcess.run("/bin/echo", ["\(task)-\(index)"])
                        guard run.standardOutputText == "\(task)-\(index)\n", run.termination == .exited(0) else { return (task, run.standardOutputText) }
                        last = run.standardOutputText
                    }
                    return (task, last)
                }
            }
            return try await group.reduce(into: [Int: String]()) { $0[$1.0] = $1.1 }
        }
        for task in 0..<8 { #expect(results[task] == "\(task)-24\n") }
    }
}
