/// The Loewner trend of `t ↦ X(t)` over a sequence of times. Raw values are the JSON spellings.
public enum TimeTrend: String, Sendable, Equatable, Codable {
    /// Non-decreasing: `X(t_k) ⪯ X(t_{k+1})` for every `k` (a constant sequence counts as this).
    case increasing
    /// Non-increasing: `X(t_k) ⪰ X(t_{k+1})` for every `k`.
    case decreasing
    /// Neither.
    case neither
}
