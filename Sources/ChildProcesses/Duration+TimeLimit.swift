extension Duration {
    /// A time limit of `seconds`: `nil` (no limit) for +∞, zero for NaN or a negative value.
    /// (`Duration.seconds(_:)` itself traps on a value that is not finite.)
    init?(timeLimit seconds: Double) {
        if seconds == .infinity { return nil }
        self = seconds.isFinite && seconds > 0 ? .seconds(seconds) : .zero
    }
}
