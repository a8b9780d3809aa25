/// The coefficients of an explicit Runge–Kutta method, with everything the integrators need to
/// know about it: data, not code. One adaptive stepper (`AdaptiveRungeKuttaStepper`) runs any
/// tableau that carries an ``errorEstimate``; one fixed-step stepper
/// (`FixedStepRungeKuttaStepper`) runs any tableau.
///
/// Stage `i` (counted from 0) is `k_i = f(t + c_i h, y + h Σ_{j<i} a_ij k_j)`; the step's
/// result is `y_new = y + h Σ_i b_i k_i`.
///
/// With ``firstSameAsLast`` the last stage has `c = 1` and the row `a = b`: it is `f(t + h, y_new)`,
/// evaluated after `y_new` and reused as the next step's first stage (one evaluation saved per
/// accepted step; `b` is then 0 on that stage).
public struct ButcherTableau: Sendable, Equatable, Codable {
    /// The name used in outputs and messages (`rk4`, `dopri5`, `dop853`, or a user's).
    public var name: String
    /// Order of the propagated solution `y_new`.
    public var order: Int
    /// The nodes `c_i`, one per stage.
    public var c: [Double]
    /// Strictly lower-triangular rows: `a[i]` has `i` entries.
    public var a: [[Double]]
    /// The weights of `y_new`, one per stage.
    public var b: [Double]
    /// First same as last (see above).
    public var firstSameAsLast: Bool
    /// The local error estimate of an embedded pair; `nil` for a method without one (which can
    /// only run with a fixed step).
    public var errorEstimate: EmbeddedErrorEstimate?
    /// The continuous extension (dense output) inside a step; `nil` without one.
    public var denseOutput: ContinuousExtension?
    /// The cheap stiffness test of an FSAL pair; `nil` without one.
    public var stiffnessTest: StiffnessTest?

    public init(name: String, order: Int, c: [Double], a: [[Double]], b: [Double], firstSameAsLast: Bool = false,
                errorEstimate: EmbeddedErrorEstimate? = nil, denseOutput: ContinuousExtension? = nil,
                stiffnessTest: StiffnessTest? = nil) {
        self.name = name
        self.order = order
        self.c = c
        self.a = a
        self.b = b
        self.firstSameAsLast = firstSameAsLast
        self.errorEstimate = errorEstimate
        self.denseOutput = denseOutput
        self.stiffnessTest = stiffnessTest
    }

    /// A pair with one weight vector `errorWeights = b − b̂` (`b̂` of order `embeddedOrder`), or a
    /// plain method when both are `nil`.
    public init(name: String, order: Int, embeddedOrder: Int?, c: [Double], a: [[Double]], b: [Double],
                errorWeights: [Double]?, firstSameAsLast: Bool) {
        var estimate: EmbeddedErrorEstimate?
        if let errorWeights { estimate = EmbeddedErrorEstimate(weights: errorWeights, order: embeddedOrder ?? order - 1) }
        self.init(name: name, order: order, c: c, a: a, b: b, firstSameAsLast: firstSameAsLast, errorEstimate: estimate)
    }

    public var stageCount: Int { c.count }

    /// Order of the embedded solution (`nil` without an error estimate).
    public var embeddedOrder: Int? { errorEstimate?.order }

    /// The weights `b − b̂` of the error estimate (`nil` without one).
    public var errorWeights: [Double]? { errorEstimate?.weights }

    /// The number of stages including those evaluated only for the dense output.
    var extendedStageCount: Int { stageCount + (denseOutput?.extraNodes.count ?? 0) }

    /// Checks shapes and values; errors name the offending field (`tableau.a[2]`, …).
    public func validate() throws(RiccatiError) {
        let s = stageCount
        guard s >= 1 else { throw .invalidParameter(name: "tableau.c", value: "[]", reason: "must have at least one stage") }
        guard order >= 1 else { throw .invalid("tableau.order", order, "must be ≥ 1") }
        try Self.requireFinite(c, "tableau.c")
        try Self.requireFinite(b, "tableau.b")
        guard a.count == s else {
            throw .incompatibleParameters(names: ["tableau.a", "tableau.c"], reason: "need one row of a per stage (\(a.count) rows, \(s) stages)")
        }
        guard b.count == s else {
            throw .incompatibleParameters(names: ["tableau.b", "tableau.c"], reason: "need one weight per stage (\(b.count) weights, \(s) stages)")
        }
        for (i, row) in a.enumerated() {
            guard row.count == i else {
                throw .invalidParameter(name: "tableau.a[\(i)]", value: "\(row.count) entries",
                                        reason: "must have \(i) entries (an explicit tableau is strictly lower triangular)")
            }
            try Self.requireFinite(row, "tableau.a[\(i)]")
        }
        if firstSameAsLast {
            guard s >= 2, c[s - 1] == 1, b[s - 1] == 0, Array(b[0..<(s - 1)]) == a[s - 1] else {
                throw .incompatibleParameters(names: ["tableau.firstSameAsLast", "tableau.a", "tableau.b", "tableau.c"],
                                              reason: "a first-same-as-last tableau needs a last stage with c = 1, a = b and b = 0 there")
            }
        }
        if let errorEstimate { try errorEstimate.validate(stageCount: s) }
        if let denseOutput { try denseOutput.validate(stageCount: s, firstSameAsLast: firstSameAsLast) }
        if let stiffnessTest {
            guard firstSameAsLast else {
                throw .incompatibleParameters(names: ["tableau.stiffnessTest", "tableau.firstSameAsLast"],
                                              reason: "the stiffness test compares the last stage, evaluated at y_new, with an earlier one: it needs a first-same-as-last tableau")
            }
            try stiffnessTest.validate(stageCount: s)
        }
    }

    static func requireFinite(_ values: [Double], _ name: String) throws(RiccatiError) {
        if let index = values.firstIndex(where: { !$0.isFinite }) {
            throw .invalid("\(name)[\(index)]", values[index], "must be finite")
        }
    }
}
