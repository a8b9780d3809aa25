/// What a child printed and how it ended (``ChildProcess/run(_:_:environment:workingDirectory:standardInput:timeout:terminationGrace:)``).
public struct CapturedOutput: Sendable, Equatable {
    public var termination: ChildTermination
    public var standardOutput: [UInt8]
    public var standardError: [UInt8]
    /// Whether the time limit ran out and the child was stopped by a signal.
    public var timedOut: Bool

    /// Standard output decoded as UTF-8 (invalid bytes replaced).
    public var standardOutputText: String { String(decoding: standardOutput, as: UTF8.self) }
    /// Standard error decoded as UTF-8 (invalid bytes replaced).
    public var standardErrorText: String { String(decoding: standardError, as: UTF8.self) }
}
