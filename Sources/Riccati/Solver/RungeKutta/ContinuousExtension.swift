/// The continuous extension (dense output) of a Runge–Kutta pair inside one step, as data: the
/// form Hairer uses for both DOPRI5 (`CONTD5`) and DOP853 (`CONTD8`).
///
/// For `t = t₀ + θh`, `θ ∈ [0, 1]`, `θ' = 1 − θ`:
///
///     y(t) ≈ r₁ + θ(r₂ + θ'(r₃ + θ(r₄ + θ'(r₅ + θ(r₆ + θ'(r₇ + …))))))
///
/// with `r₁ = y₀`, `r₂ = y₁ − y₀`, `r₃ = h k₁ − r₂`, `r₄ = r₂ − h k_last − r₃` (`k_last = f(t₀+h, y₁)`,
/// the first-same-as-last stage), which make the polynomial match `y` and `y'` at both ends, and
/// further rows `r_{4+m} = h Σ_i rows[m][i] k_i` over all stages, including ``extraNodes``
/// stages evaluated only for the dense output.
///
/// Extra stage `m` is `k_{s+m} = f(t₀ + extraNodes[m] h, y₀ + h Σ_j extraA[m][j] k_j)` with `j`
/// over the `s` stages of the step and the extra stages before it.
public struct ContinuousExtension: Sendable, Equatable, Codable {
    /// Order of the interpolant.
    public var order: Int
    /// Nodes of the stages evaluated only for the dense output.
    public var extraNodes: [Double]
    /// `extraA[m]` has `s + m` entries (`s` the tableau's stage count).
    public var extraA: [[Double]]
    /// `rows[m]` gives `r_{5+m}` (counted from `r₁`); each has `s + extraNodes.count` entries.
    public var rows: [[Double]]

    public init(order: Int, extraNodes: [Double] = [], extraA: [[Double]] = [], rows: [[Double]]) {
        self.order = order
        self.extraNodes = extraNodes
        self.extraA = extraA
        self.rows = rows
    }

    /// The number of vectors `r₁ … r_{4+rows.count}` one step's extension holds.
    var coefficientCount: Int { 4 + rows.count }

    func validate(stageCount s: Int, firstSameAsLast: Bool) throws(RiccatiError) {
        guard firstSameAsLast else {
            throw .incompatibleParameters(names: ["tableau.denseOutput", "tableau.firstSameAsLast"],
                                          reason: "the continuous extension uses f(t + h, y_new), the last stage of a first-same-as-last tableau")
        }
        guard order >= 1 else { throw .invalid("tableau.denseOutput.order", order, "must be ≥ 1") }
        guard extraA.count == extraNodes.count else {
            throw .incompatibleParameters(names: ["tableau.denseOutput.extraA", "tableau.denseOutput.extraNodes"],
                                          reason: "need one row per extra stage (\(extraA.count) rows, \(extraNodes.count) nodes)")
        }
        try ButcherTableau.requireFinite(extraNodes, "tableau.denseOutput.extraNodes")
        for (m, row) in extraA.enumerated() {
            guard row.count == s + m else {
                throw .invalidParameter(name: "tableau.denseOutput.extraA[\(m)]", value: "\(row.count) entries",
                                        reason: "must have \(s + m) entries (the stages before it)")
            }
            try ButcherTableau.requireFinite(row, "tableau.denseOutput.extraA[\(m)]")
        }
        for (m, row) in rows.enumerated() {
            guard row.count == s + extraNodes.count else {
                throw .invalidParameter(name: "tableau.denseOutput.rows[\(m)]", value: "\(row.count) entries",
                                        reason: "must have \(s + extraNodes.count) entries (one per stage, extra stages included)")
            }
            try ButcherTableau.requireFinite(row, "tableau.denseOutput.rows[\(m)]")
        }
    }
}
