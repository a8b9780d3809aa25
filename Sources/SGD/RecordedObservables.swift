import Riccati

/// The observables an SGD run records at a save step: the Riccati module's alignments, learned
/// count and spectrum of `K`, with the population risk of the run's activation.
///
/// The risk comes from the overlaps alone, through the activation's gradient flow
/// (`Activation.gradientFlow(spectrum:studentWidth:)`): for the quadratic model the
/// cancellation-free `2 (‖G − Λ‖_F² + 2 tr(MᵀPM) + ‖P‖_F²)`, bit for bit as before activations
/// existed; for any other `σ` the kernel sum of `GeneralActivationRisk` (MODEL.md, "General
/// activations"), with `Q = MMᵀ + P`, `q_i = Q_ii`, `ρ_ii' = Q_ii'/√(q_i q_i')`, `m_ij = M_ij/√q_i`,
///
///     R = Σ_ii' q_i q_i' κ(ρ_ii') − 2 Σ_ij q_i λ_j κ(m_ij) + Σ_jj' λ_j λ_j' κ(δ_jj'),
///
/// and its split by Hermite degree (`Observables.riskByDegree`).
enum RecordedObservables {
    /// The observables of `state` for the teacher `spectrum` and `activation`.
    static func of(_ state: OverlapState, spectrum: TeacherSpectrum, activation: Activation) throws(RiccatiError) -> Observables {
        try state.observables(dynamics: try activation.gradientFlow(spectrum: spectrum, studentWidth: state.studentWidth))
    }
}
