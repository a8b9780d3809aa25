import Glibc

extension ChildProcess {
    /// Runs `executable` to its end and collects both of its outputs.
    ///
    /// Both pipes are read as the child writes, so a large output cannot block it; all of it is
    /// kept in memory. After `timeout` seconds (no limit when `nil` or infinite; at once when
    /// zero, negative or NaN) the child gets SIGTERM, and SIGKILL `terminationGrace` seconds
    /// later (read the same way: SIGKILL at once for 0, never for +∞); ``CapturedOutput/timedOut``
    /// then says so. Output is
    /// collected until the child has ended and its pipes hold nothing more: a daemon the child
    /// started and left holding a pipe does not keep this call waiting. With
    /// ``ChildStream/pipe`` as `standardInput` the child reads an empty input (the parent's
    /// end is closed at once).
    public static func run(_ executable: String, _ arguments: [String] = [], environment: [String: String]? = nil,
                           workingDirectory: String? = nil, standardInput: ChildStream = .null,
                           timeout: Double? = nil, terminationGrace: Double = 1) throws(ChildProcessError) -> CapturedOutput {
        let child = try ChildProcess(executable: executable, arguments: arguments, environment: environment, workingDirectory: workingDirectory,
                                     standardInput: standardInput, standardOutput: .pipe, standardError: .pipe)
        child.closePipeEnd(child.standardInput)
        var collector = PipeCollector(output: child.standardOutput, error: child.standardError)
        let limit = timeout.flatMap(Duration.init(timeLimit:))
        let grace = Duration(timeLimit: terminationGrace)
        let start = ContinuousClock.now
        var timedOut = false
        var killed = false
        let termination: ChildTermination
        while true {
            collector.readAvailable(waitingMilliseconds: collector.isOpen ? 20 : 0)
            if let ended = collector.isOpen ? child.poll() : child.wait(timeout: 0.02) {
                termination = ended
                break
            }
            guard let limit else { continue }
            let elapsed = start.duration(to: .now)
            if !timedOut, elapsed >= limit {
                timedOut = true
                killed = grace == .zero
                child.send(killed ? SIGKILL : SIGTERM)
            } else if timedOut, !killed, let grace, elapsed >= limit + grace {
                killed = true
                child.send(SIGKILL)
            }
        }
        collector.drain()
        child.closePipeEnd(child.standardOutput)
        child.closePipeEnd(child.standardError)
        return CapturedOutput(termination: termination, standardOutput: collector.outputBytes,
                              standardError: collector.errorBytes, timedOut: timedOut)
    }
}

/// Reads a child's standard output and standard error pipes without blocking on either.
struct PipeCollector {
    private(set) var outputBytes: [UInt8] = []
    private(set) var errorBytes: [UInt8] = []
    private var output: Int32?
    private var error: Int32?
    private var buffer = [UInt8](repeating: 0, count: 1 << 16)

    init(output: Int32?, error: Int32?) {
        self.output = output
        self.error = error
        for case let descriptor? in [output, error] {
            _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
        }
    }

    /// Whether either pipe may still deliver bytes.
    var isOpen: Bool { output != nil || error != nil }

    /// Waits up to `waitingMilliseconds` for either pipe, then reads what both hold.
    mutating func readAvailable(waitingMilliseconds: Int32) {
        var descriptors = [output, error].compactMap { $0 }.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        guard !descriptors.isEmpty else { return }
        _ = Glibc.poll(&descriptors, nfds_t(descriptors.count), waitingMilliseconds)
        drain()
    }

    /// Reads both pipes until each is empty for now or at its end, or `maximumReads` reads of
    /// 64 KiB each have been made on one (the child's own output is then read in full, as a pipe
    /// holds at most 1 MiB; a process that outlives the child and floods the pipe cannot hold
    /// the caller here).
    mutating func drain() {
        if let descriptor = output, !Self.read(descriptor, buffer: &buffer, into: &outputBytes) { output = nil }
        if let descriptor = error, !Self.read(descriptor, buffer: &buffer, into: &errorBytes) { error = nil }
    }

    /// Reads what `descriptor` holds; `false` at end of file (or on an error other than "try again").
    private static func read(_ descriptor: Int32, buffer: inout [UInt8], into bytes: inout [UInt8]) -> Bool {
        for _ in 0..<maximumReads {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count > 0 {
                bytes.append(contentsOf: buffer[0..<count])
            } else if count == 0 {
                return false
            } else if errno == EINTR {
                continue
            } else {
                return errno == EAGAIN || errno == EWOULDBLOCK
            }
        }
        return true
    }

    /// Reads made on one pipe per ``drain()``: 64 × 64 KiB = 4 MiB.
    private static let maximumReads = 64
}
