/// The Loewner-order relation between two symmetric matrices `X` and `Y`.
/// Raw values are the command line's JSON spellings.
public enum LoewnerRelation: String, Sendable, Equatable, Codable {
    /// `X ⪯ Y`: `Y − X` is positive semidefinite (within tolerance), and not `X = Y`.
    case lessOrEqual = "le"
    /// `X ⪰ Y`.
    case greaterOrEqual = "ge"
    /// `X = Y` within tolerance: both of the above.
    case equal = "eq"
    /// Neither: `Y − X` is indefinite beyond the tolerance.
    case incomparable

    /// `true` when `X ⪯ Y` holds (`le` or `eq`).
    public var impliesLessOrEqual: Bool { self == .lessOrEqual || self == .equal }
    /// `true` when `X ⪰ Y` holds (`ge` or `eq`).
    public var impliesGreaterOrEqual: Bool { self == .greaterOrEqual || self == .equal }
}
