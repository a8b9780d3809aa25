import Riccati

/// The scratch memory of the general-activation SGD step, allocated once per simulator
/// (``SGDSimulator/advanceGeneralActivation(statistics:clock:buffers:)``).
///
/// Every worker of the step's residual pass owns its own slice of ``rowFactors`` and
/// ``radialSums`` (worker `p` at offset `p·2r_s` and `p·r_s`), so the partial sums are added in
/// part order afterwards and the step's numbers do not depend on the thread count.
final class ActivationStepBuffers: @unchecked Sendable {
    let activation: Activation
    let studentWidth: Int
    let parts: Int
    /// `‖w_i‖²`, `‖w_i‖` and `1/max(‖w_i‖, 2⁻¹⁰²²)`, `r_s` doubles each, computed at the start of each step.
    let squaredNorms: UnsafeMutablePointer<Double>
    let norms: UnsafeMutablePointer<Double>
    let inverseNorms: UnsafeMutablePointer<Double>
    /// Per worker, for the row in hand: `‖w_i‖ σ′(u_i)` (first `r_s`) and `2σ(u_i) − u_i σ′(u_i)` (next `r_s`).
    let rowFactors: UnsafeMutablePointer<Double>
    /// Per worker, `Σ_b e_b (2σ(u_bi) − u_bi σ′(u_bi))` over its rows, `r_s` doubles each.
    let radialSums: UnsafeMutablePointer<Double>

    init(activation: Activation, studentWidth rs: Int, parts: Int) {
        self.activation = activation
        studentWidth = rs
        self.parts = parts
        squaredNorms = .allocate(capacity: rs)
        squaredNorms.initialize(repeating: 0, count: rs)
        norms = .allocate(capacity: rs)
        norms.initialize(repeating: 0, count: rs)
        inverseNorms = .allocate(capacity: rs)
        inverseNorms.initialize(repeating: 0, count: rs)
        rowFactors = .allocate(capacity: 2 * rs * parts)
        rowFactors.initialize(repeating: 0, count: 2 * rs * parts)
        radialSums = .allocate(capacity: rs * parts)
        radialSums.initialize(repeating: 0, count: rs * parts)
    }

    deinit {
        squaredNorms.deallocate(); norms.deallocate(); inverseNorms.deallocate(); rowFactors.deallocate(); radialSums.deallocate()
    }
}
