/// One submission of a sweep to Slurm: its array job, the points it runs and its merge job.
public struct SweepSubmission: Codable, Sendable, Equatable {
    /// The array job's id (`sbatch --parsable`'s first field).
    public var arrayJob: String
    /// The points the array runs (array index = point index).
    public var indices: [Int]
    /// The merge job's id (it depends on the array with `afterok`).
    public var mergeJob: String
    /// Seconds since 1970 at submission.
    public var submittedAt: Double

    public init(arrayJob: String, indices: [Int], mergeJob: String, submittedAt: Double) {
        self.arrayJob = arrayJob
        self.indices = indices
        self.mergeJob = mergeJob
        self.submittedAt = submittedAt
    }
}
