/// Where one of a child's standard streams goes.
public enum ChildStream: Sendable, Equatable {
    /// `/dev/null` (reading gives end of file, writes are discarded).
    case null
    /// The parent's own stream of the same number.
    case inherit
    /// A pipe whose other end the parent holds (``ChildProcess/standardInput``,
    /// ``ChildProcess/standardOutput``, ``ChildProcess/standardError``).
    case pipe
    /// Closed in the child, so that its first `open` may take this number.
    case closed
    /// A file: opened for reading as standard input, or created (truncated, mode 0644) for writing.
    case file(String)
    /// A descriptor of the parent's, duplicated onto the stream's number in the child; the
    /// parent keeps it open.
    case descriptor(Int32)
}
