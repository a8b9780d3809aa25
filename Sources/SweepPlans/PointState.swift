/// The state of one point of a distributed sweep, as its work directory shows it.
public enum PointState: Sendable, Equatable {
    /// A valid result file of this plan.
    case done
    /// No result and no failure record yet (pending, running, or lost with its task).
    case missing
    /// The task recorded a failure (its one-line message).
    case failed(String)
    /// A result file that cannot be decoded or belongs to another plan (the reason).
    case damaged(String)

    public var isDone: Bool { self == .done }
}
