/// One task of a distributed sweep: its index in the plan, what it computes and its cost.
public struct PlannedPoint: Codable, Sendable, Equatable {
    /// Position in the plan, `0 ..< points.count`; the Slurm array index of its task.
    public var index: Int
    /// The point's parameters as the command names them (`alpha=1 r=64 rs=16 d=1e12 seed=0`).
    public var label: String
    public var cost: TaskCost

    public init(index: Int, label: String, cost: TaskCost) {
        self.index = index
        self.label = label
        self.cost = cost
    }
}
