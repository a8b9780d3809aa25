/// How an embedded pair estimates the local error of a step, and how the step-size controller
/// reacts to it: data carried by a ``ButcherTableau``.
///
/// With the scale `sc_i = atol + rtol·max(|y_i|, |y_new,i|)` and `E_i = h Σ_j weights_j k_j,i`
/// (the difference of the two solutions of the pair), the error of the step is the RMS norm
/// `err = ‖E / sc‖ = sqrt(Σ_i (E_i/sc_i)² / n)`.
///
/// With a ``LowerOrderCorrection`` (Dormand–Prince 8(5,3), Hairer's `dop853.f`), a second,
/// lower-order difference `E'_i = h Σ_j correction.weights_j k_j,i` tempers it:
/// `err = S / sqrt(n·(S + share·S'))` with `S = Σ_i (E_i/sc_i)²` and `S' = Σ_i (E'_i/sc_i)²`
/// (`err = 0` when both vanish). `S/sqrt(S + share·S')` behaves like `‖E‖` when `E` dominates and
/// like `‖E‖²/(√share·‖E'‖)` (an estimate of higher order) when the pair's fifth-order difference
/// is much smaller than the third-order one.
///
/// The step accepted with `err ≤ 1`; the next one is `h·safety/(err^α · err_prev^{−β})`,
/// bounded by the factor limits (PI control with Lund stabilisation, Hairer, Nørsett & Wanner I,
/// §II.4), where `α = 1/(order + 1) − stabilizationShare·β`.
public struct EmbeddedErrorEstimate: Sendable, Equatable, Codable {
    /// `b_j − b̂_j`, one per stage.
    public var weights: [Double]
    /// The order `q` of the estimate's leading term `O(h^{q+1})`: the controller's exponent is `1/(q+1)`.
    public var order: Int
    /// DOP853's tempering by a lower-order difference; `nil` for a plain pair.
    public var correction: LowerOrderCorrection?
    /// The factor of `β` subtracted from `1/(order + 1)` in the controller's exponent `α`
    /// (DOPRI5: 0.75, `dopri5.f`'s `EXPO1 = 0.2 − 0.75·β`; DOP853: 0.2, `dop853.f`'s
    /// `EXPO1 = 1/8 − 0.2·β`).
    public var stabilizationShare: Double

    public init(weights: [Double], order: Int, correction: LowerOrderCorrection? = nil, stabilizationShare: Double = 0.75) {
        self.weights = weights
        self.order = order
        self.correction = correction
        self.stabilizationShare = stabilizationShare
    }

    /// The controller's exponent `α` for the stabilisation parameter `beta`.
    func errorExponent(beta: Double) -> Double { 1.0 / Double(order + 1) - stabilizationShare * beta }

    func validate(stageCount s: Int) throws(RiccatiError) {
        guard weights.count == s else {
            throw .incompatibleParameters(names: ["tableau.errorEstimate.weights", "tableau.c"],
                                          reason: "need one error weight per stage (\(weights.count) weights, \(s) stages)")
        }
        try ButcherTableau.requireFinite(weights, "tableau.errorEstimate.weights")
        guard weights.contains(where: { $0 != 0 }) else {
            throw .invalidParameter(name: "tableau.errorEstimate.weights", value: "all zero", reason: "must not all be zero (no error would ever be seen)")
        }
        guard order >= 1 else { throw .invalid("tableau.errorEstimate.order", order, "must be ≥ 1") }
        guard stabilizationShare.isFinite, stabilizationShare >= 0 else {
            throw .invalid("tableau.errorEstimate.stabilizationShare", stabilizationShare, "must be finite and ≥ 0")
        }
        if let correction {
            guard correction.weights.count == s else {
                throw .incompatibleParameters(names: ["tableau.errorEstimate.correction.weights", "tableau.c"],
                                              reason: "need one weight per stage (\(correction.weights.count) weights, \(s) stages)")
            }
            try ButcherTableau.requireFinite(correction.weights, "tableau.errorEstimate.correction.weights")
            guard correction.share.isFinite, correction.share > 0 else {
                throw .invalid("tableau.errorEstimate.correction.share", correction.share, "must be finite and > 0")
            }
        }
    }
}

/// The lower-order difference that tempers an error estimate (see ``EmbeddedErrorEstimate``).
public struct LowerOrderCorrection: Sendable, Equatable, Codable {
    /// `b_j − b̃_j` for a lower-order solution `b̃`, one per stage.
    public var weights: [Double]
    /// The weight of its squared norm in the denominator (DOP853: 0.01).
    public var share: Double

    public init(weights: [Double], share: Double) {
        self.weights = weights
        self.share = share
    }
}
