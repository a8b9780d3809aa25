/// Hairer's cheap stiffness test for a first-same-as-last pair, as data (Hairer & Wanner II,
/// §IV.2; `dopri5.f` and `dop853.f`).
///
/// After an accepted step, `h·λ̃ = h·‖k_later − k_earlier‖ / ‖y_new − Y_earlier‖` estimates `h`
/// times the dominant eigenvalue of the Jacobian (`Y_earlier` is the input of the earlier stage;
/// the later stage's input is `y_new`). When it exceeds ``boundary`` (roughly where the method's
/// stability domain ends on the negative real axis) in ``detectionsToReport`` checks, the problem is
/// reported stiff; ``passesToReset`` negative checks in a row reset the count. Checks run every
/// ``AdaptiveStepOptions/stiffnessCheckInterval`` accepted steps, and on every step once one
/// check was positive.
public struct StiffnessTest: Sendable, Equatable, Codable {
    /// The stage evaluated at `y_new` (the first-same-as-last stage), counted from 0.
    public var laterStage: Int
    /// The earlier stage it is compared with, counted from 0.
    public var earlierStage: Int
    /// DOPRI5: 3.25; DOP853: 6.1.
    public var boundary: Double
    public var detectionsToReport: Int
    public var passesToReset: Int

    public init(laterStage: Int, earlierStage: Int, boundary: Double, detectionsToReport: Int = 15, passesToReset: Int = 6) {
        self.laterStage = laterStage
        self.earlierStage = earlierStage
        self.boundary = boundary
        self.detectionsToReport = detectionsToReport
        self.passesToReset = passesToReset
    }

    func validate(stageCount s: Int) throws(RiccatiError) {
        guard laterStage == s - 1 else {
            throw .invalid("tableau.stiffnessTest.laterStage", laterStage, "must be the last stage, \(s - 1) (the one evaluated at y_new)")
        }
        guard earlierStage >= 1, earlierStage < laterStage else {
            throw .invalid("tableau.stiffnessTest.earlierStage", earlierStage, "must lie in [1, \(laterStage - 1)]")
        }
        guard boundary.isFinite, boundary > 0 else { throw .invalid("tableau.stiffnessTest.boundary", boundary, "must be finite and > 0") }
        guard detectionsToReport >= 1 else { throw .invalid("tableau.stiffnessTest.detectionsToReport", detectionsToReport, "must be ≥ 1") }
        guard passesToReset >= 1 else { throw .invalid("tableau.stiffnessTest.passesToReset", passesToReset, "must be ≥ 1") }
    }
}
