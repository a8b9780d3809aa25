/// Why a distributed sweep could not be planned, submitted, run or merged.
///
/// Each case carries a one-line message; the command-line tool maps the cases to its exit codes
/// (CommandLineReference: 2 for `.invalidWorkDirectory`, `.foreignPlan` and `.invalidPlan`, 5 for
/// `.schedulerUnavailable` and `.submissionFailed`, 4 for `.incomplete`, 1 for the others).
public enum SweepPlanError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The work directory cannot be created, written or read (path and reason).
    case invalidWorkDirectory(path: String, reason: String)
    /// The work directory already holds the plan of a different sweep.
    case foreignPlan(path: String, command: String)
    /// The plan file is missing, unreadable, damaged or of another format version.
    case invalidPlan(path: String, reason: String)
    /// A point's result file is present but cannot be decoded or belongs to another plan.
    case damagedResult(index: Int, path: String, reason: String)
    /// The scheduler cannot be used: no `sbatch` on `PATH`, or the controller does not answer.
    case schedulerUnavailable(String)
    /// `sbatch` (or `scancel`) ran and refused.
    case submissionFailed(String)
    /// Points have no valid result (their indices, in increasing order, and a description).
    case incomplete(missing: [Int], message: String)

    public var description: String {
        switch self {
        case .invalidWorkDirectory(let path, let reason): return "--work-dir \(path): \(reason)"
        case .foreignPlan(let path, let command):
            return "--work-dir \(path) holds the plan of another sweep (\(command)); use another --work-dir, or remove that one"
        case .invalidPlan(let path, let reason): return "\(path): \(reason)"
        case .damagedResult(let index, let path, let reason): return "point \(index): \(path): \(reason)"
        case .schedulerUnavailable(let message), .submissionFailed(let message): return message
        case .incomplete(_, let message): return message
        }
    }
}
