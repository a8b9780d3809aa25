/// The whole of a distributed sweep, as written to `plan.json` in its work directory.
///
/// A plan is what every task and the merge read: the command and its arguments exactly as the
/// user gave them, the directory they were given in (relative paths are resolved against it),
/// and the list of points. A task re-parses ``arguments`` with the same code a local run uses,
/// so the configuration of every point is the local run's, and runs point ``PlannedPoint/index``
/// alone. Two plans describe the same sweep when their ``command``, ``identityArguments`` (as
/// written: `--r 16` and `--r=16` differ), ``workingDirectory`` (relative paths resolve there) and
/// ``toolVersion`` agree (``isSameSweep(as:)``): the flags that only say how to run it (the
/// backend, the work directory, Slurm's arguments, waiting) are left out of the identity.
public struct SweepPlan: Codable, Sendable, Equatable {
    /// The format of this file; a plan of another version is refused.
    public static let currentFormatVersion = 1

    public var formatVersion: Int
    /// The version of the tool that wrote the plan; tasks of another version refuse to run it.
    public var toolVersion: String
    /// The subcommand, e.g. `scaling sweep`.
    public var command: String
    /// The arguments after the tool's name, as given (`scaling sweep --widths 8,16 …`).
    public var arguments: [String]
    /// ``arguments`` without the flags that only choose how the sweep runs.
    public var identityArguments: [String]
    /// The working directory of the submitting command; tasks and the merge run there.
    public var workingDirectory: String
    /// The tool's executable, as the tasks call it.
    public var executable: String
    public var points: [PlannedPoint]

    public init(toolVersion: String, command: String, arguments: [String], identityArguments: [String], workingDirectory: String,
                executable: String, points: [PlannedPoint]) {
        formatVersion = Self.currentFormatVersion
        self.toolVersion = toolVersion
        self.command = command
        self.arguments = arguments
        self.identityArguments = identityArguments
        self.workingDirectory = workingDirectory
        self.executable = executable
        self.points = points
    }

    /// Whether `other` describes the same computation with the same outputs (command, identity
    /// arguments, working directory, tool version and points).
    public func isSameSweep(as other: SweepPlan) -> Bool {
        command == other.command && identityArguments == other.identityArguments && toolVersion == other.toolVersion
            && workingDirectory == other.workingDirectory && points.map(\.label) == other.points.map(\.label)
    }

    /// The command line the plan describes, for messages (`riccati scaling sweep --widths 8,16`).
    public var commandLine: String {
        (["riccati"] + identityArguments.map(ShellQuoting.quoteIfNeeded)).joined(separator: " ")
    }
}
