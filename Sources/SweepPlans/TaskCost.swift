/// The estimated cost of one task of a distributed sweep (one grid point, one width, one run).
///
/// The estimates come from the cost models the tool uses to refuse oversized runs: the step
/// count (the exact propagator's step rule, or the SGD step count), the multiply-adds of the
/// dominant products where they are known, and the peak memory of the point. ``seconds`` is
/// a rough wall-time guess on one core of the machine the rate constants were measured on
/// (documented where the estimate is made); size Slurm's `--time` with a margin above it.
public struct TaskCost: Codable, Sendable, Equatable {
    /// Steps of the point's integration or SGD run; `nil` for adaptive integrators, whose step
    /// count is not known in advance.
    public var steps: Double?
    /// Multiply-adds of the dominant matrix products, when known.
    public var multiplyAdds: Double?
    /// Peak memory of the task, in bytes.
    public var memoryBytes: Double
    /// Estimated wall time in seconds, when a rate model exists.
    public var seconds: Double?

    public init(steps: Double?, multiplyAdds: Double? = nil, memoryBytes: Double, seconds: Double? = nil) {
        self.steps = steps
        self.multiplyAdds = multiplyAdds
        self.memoryBytes = memoryBytes
        self.seconds = seconds
    }
}
