import ChildProcesses
import Glibc
import Testing

/// The state a child starts in (descriptors, signals) and the lifetime of a `ChildProcess`.
@Suite("ChildProcess")
struct ChildProcessTests {
    /// The numbers listed in `/proc/self/fd` of a `ls` run as the child (its own directory
    /// descriptor included).
    private func childDescriptors() throws -> Set<Int32> {
        let run = try ChildProcess.run("/bin/ls", ["/proc/self/fd"])
        return Set(run.standardOutputText.split(separator: "\n").compactMap { Int32($0) })
    }

    @Test func childInheritsOnlyItsThreeStreams() throws {
        // A descriptor the parent opened without close-on-exec: a plain posix_spawn would pass it on.
        let leaky = open("/dev/null", O_RDONLY)
        #expect(leaky > 2)
        defer { close(leaky) }
        #expect(fcntl(leaky, F_GETFD) & FD_CLOEXEC == 0)
        let descriptors = try childDescriptors()
        #expect(!descriptors.contains(leaky))
        #expect(descriptors.isSuperset(of: [0, 1, 2]) && descriptors.count <= 4, "\(descriptors)")
        // Control: the same descriptor handed over on purpose arrives.
        let run = try ChildProcess.run("/bin/sh", ["-c", "readlink /proc/self/fd/0"], standardInput: .descriptor(leaky))
        #expect(run.standardOutputText == "/dev/null\n")
    }

    /// The bits of `SigBlk` (blocked) in a `/proc/.../status` text.
    private func blockedSignals(_ status: String) -> UInt64? { signalMask("SigBlk:", in: status) }

    /// The bits of one signal mask line (`SigBlk:`, `SigIgn:`) in a `/proc/.../status` text.
    private func signalMask(_ name: String, in status: String) -> UInt64? {
        status.split(separator: "\n").first { $0.hasPrefix(name) }.flatMap { UInt64(String($0.dropFirst(name.count).filter { !$0.isWhitespace }), radix: 16) }
    }

    /// No signal starts ignored, glibc's internal 32 and 33 included (its posix_spawn would
    /// leave them ignored unless named). Control: a signal the shell ignores shows in the mask.
    @Test func childStartsWithNoIgnoredSignals() throws {
        let child = try ChildProcess.run("/bin/cat", ["/proc/self/status"])
        #expect(signalMask("SigIgn:", in: child.standardOutputText) == 0, "\(child.standardOutputText)")
        let ignoring = try ChildProcess.run("/bin/sh", ["-c", "trap '' USR1; exec /bin/cat /proc/self/status"])
        #expect(signalMask("SigIgn:", in: ignoring.standardOutputText) == 1 << (UInt64(SIGUSR1) - 1))
    }

    @Test func childStartsWithNoBlockedSignals() throws {
        var blocked = sigset_t(), previous = sigset_t()
        sigemptyset(&blocked)
        sigaddset(&blocked, SIGTERM)
        pthread_sigmask(SIG_BLOCK, &blocked, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        // Control: this thread does block SIGTERM (bit 15, counted from 1).
        let own = try ChildProcess.run("/bin/cat", standardInput: .file("/proc/thread-self/status"))
        let ownMask = try #require(blockedSignals(own.standardOutputText))
        #expect(ownMask & (1 << (UInt64(SIGTERM) - 1)) != 0)
        let child = try ChildProcess.run("/bin/cat", ["/proc/self/status"])
        #expect(blockedSignals(child.standardOutputText) == 0)
    }

    @Test func signalsReachARunningChildAndNeverAReapedOne() throws {
        let sleeper = try ChildProcess(executable: "/bin/sleep", arguments: ["30"])
        #expect(sleeper.isRunning)
        #expect(sleeper.send(SIGTERM))
        #expect(sleeper.wait() == .signaled(SIGTERM))
        #expect(!sleeper.isRunning)
        // Reaped: its ID may belong to another process now, so nothing is sent.
        #expect(!sleeper.send(SIGTERM))
        #expect(sleeper.poll() == .signaled(SIGTERM))
    }

    /// Reaped behind the object's back (as a `waitpid(-1)` elsewhere would): waiting ends, with
    /// the status unknown, instead of waiting for ever.
    @Test func childReapedByOtherCodeEndsTheWait() throws {
        let child = try ChildProcess(executable: "/bin/sh", arguments: ["-c", "exit 7"])
        var status: Int32 = 0
        #expect(waitpid(child.processIdentifier, &status, 0) == child.processIdentifier)
        #expect((status >> 8) & 0xff == 7)
        #expect(child.wait() == .unknown && child.wait().shellStatus == 255)
        #expect(!child.send(SIGTERM))
    }

    @Test func waitWithTimeoutReturnsNilWhileRunning() throws {
        let sleeper = try ChildProcess(executable: "/bin/sleep", arguments: ["30"])
        #expect(sleeper.wait(timeout: 0.1) == nil)
        sleeper.send(SIGKILL)
        #expect(sleeper.wait(timeout: 10) == .signaled(SIGKILL))
    }

    @Test func pipeToStandardInputAndFromStandardOutput() throws {
        let cat = try ChildProcess(executable: "/bin/cat", standardInput: .pipe, standardOutput: .pipe)
        let input = try #require(cat.standardInput), output = try #require(cat.standardOutput)
        let message = Array("through a pipe\n".utf8)
        #expect(message.withUnsafeBytes { write(input, $0.baseAddress, $0.count) } == message.count)
        cat.closePipeEnd(input)
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 256)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(output, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            received += buffer[0..<count]
        }
        #expect(received == message)
        #expect(cat.wait() == .exited(0))
    }

    @Test func outputToAFileAndAClosedStream() throws {
        let path = temporaryPath("output")
        defer { unlink(path) }
        let writer = try ChildProcess(executable: "/bin/sh", arguments: ["-c", "echo to file"], standardOutput: .file(path))
        #expect(writer.wait() == .exited(0))
        let readBack = try ChildProcess.run("/bin/cat", [path])
        #expect(readBack.standardOutputText == "to file\n")
        // A closed standard output: the shell's echo fails (status 1 or 2 by shell), unlike above.
        let closed = try ChildProcess(executable: "/bin/sh", arguments: ["-c", "echo nowhere"], standardOutput: .closed)
        #expect(closed.wait() != .exited(0))
    }
}
