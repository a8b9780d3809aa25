import Foundation

/// One active job or array task as `squeue` lists it.
public struct QueueEntry: Sendable, Equatable {
    /// The job's id (`%i`: `1234` or `1234_5`).
    public var id: String
    /// The array job's id for an array task, the job's own id otherwise (`%F`).
    public var jobID: String
    /// The array task's index (`%K`), `nil` for a job that is not an array task.
    public var taskIndex: Int?
    /// Slurm's state name (`PENDING`, `RUNNING`, `COMPLETING`, …).
    public var state: String

    public init(id: String, jobID: String, taskIndex: Int?, state: String) {
        self.id = id
        self.jobID = jobID
        self.taskIndex = taskIndex
        self.state = state
    }

    /// The format string the parser expects (`squeue --format`).
    static let format = "%i|%F|%K|%T"

    /// Parses `squeue --noheader --array --format=%i|%F|%K|%T` output; lines of another shape are skipped.
    public static func parse(_ text: String) -> [QueueEntry] {
        text.split(whereSeparator: \.isNewline).compactMap { line in
            let fields = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.count == 4, !fields[0].isEmpty, !fields[1].isEmpty else { return nil }
            return QueueEntry(id: fields[0], jobID: fields[1], taskIndex: Int(fields[2]), state: fields[3])
        }
    }
}
