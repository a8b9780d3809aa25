/// What a finished child process left: its exit status and its captured output.
public struct ProcessOutput: Sendable, Equatable {
    /// The exit code, or `128 + signal` when a signal ended it.
    public var status: Int32
    public var standardOutput: String
    public var standardError: String
    /// `true` when the process was stopped for exceeding its time limit.
    public var timedOut: Bool

    /// The last non-empty line of standard error (else of standard output), for one-line messages.
    public var lastLine: String {
        for text in [standardError, standardOutput] {
            if let line = text.split(whereSeparator: \.isNewline).last(where: { !$0.allSatisfy(\.isWhitespace) }) {
                return String(line)
            }
        }
        return "no output"
    }
}
