import LinearAlgebra
import Riccati

/// The population risk `R = E[(f_W(x) − f*(x))²]` of an SGD iterate from its overlaps, for any
/// activation (MODEL.md, "General activations"), and the observables SGD records with it.
///
/// With `Q = WWᵀ = MMᵀ + P`, `q_i = Q_ii = ‖w_i‖²`, the correlation kernel `κ` of the activation
/// (``ActivationKernel``) and the unit-vector correlations `ρ_ii' = Q_ii'/√(q_i q_i')` (student
/// with student) and `m_ij = M_ij/√q_i` (student with teacher):
///
///     R = Σ_ii' q_i q_i' κ(ρ_ii') − 2 Σ_ij q_i λ_j κ(m_ij) + Σ_jj' λ_j λ_j' κ(δ_jj'),
///
/// each term the expectation of a product of two neurons `E[σ(a·x) σ(b·x)] = κ(a·b)` for unit
/// `a`, `b`, weighted by the neurons' output scales (`q_i` for a student neuron, `λ_j` for a
/// teacher one). The teacher term is `κ(1) Σλ_j² + κ(0) ((Σλ_j)² − Σλ_j²)` (orthonormal `θ_j`).
/// A neuron with `q_i = 0` contributes nothing. For `σ = He₂` (`κ = 2ρ²`) this is the quadratic
/// model's `2 (‖Q‖_F² − 2 tr(MΛMᵀ) + ‖λ‖²)`; the quadratic model keeps its own cancellation-free
/// evaluator (``Riccati/OverlapState/observables(spectrum:)``), bit for bit as before.
enum SGDPopulationRisk {
    /// `R` of `state` for the teacher `spectrum` and `activation`, by the kernel sum above.
    static func risk(of state: OverlapState, spectrum: TeacherSpectrum, activation: Activation) -> Double {
        let kernel = ActivationKernel(activation)
        let m = state.overlap
        let rs = m.rows, r = m.columns
        var q = BLAS.gram(m)   // M Mᵀ
        for index in 0..<(rs * rs) { q.storage[index] += state.orthogonalGram.storage[index] }
        let lambda = spectrum.values
        var studentTerm = 0.0
        for i in 0..<rs where q[i, i] > 0 {
            for k in 0..<rs where q[k, k] > 0 {
                studentTerm += q[i, i] * q[k, k] * kernel.value(q[i, k] / (q[i, i] * q[k, k]).squareRoot())
            }
        }
        var crossTerm = 0.0
        for i in 0..<rs where q[i, i] > 0 {
            let norm = q[i, i].squareRoot()
            for j in 0..<r { crossTerm += q[i, i] * lambda[j] * kernel.value(m[i, j] / norm) }
        }
        let sum = lambda.reduce(0, +), squares = lambda.reduce(0) { $0 + $1 * $1 }
        let teacherTerm = kernel.value(1) * squares + kernel.value(0) * (sum * sum - squares)
        return studentTerm - 2 * crossTerm + teacherTerm
    }

    /// The observables of `state`: the Riccati module's alignments, learned count and spectrum of
    /// `K`, with the risk of `activation` (the quadratic model's own evaluation for ``Activation/isQuadratic``).
    static func observables(of state: OverlapState, spectrum: TeacherSpectrum, activation: Activation) throws(RiccatiError) -> Observables {
        var observables = try state.observables(spectrum: spectrum)
        if !activation.isQuadratic { observables.risk = risk(of: state, spectrum: spectrum, activation: activation) }
        return observables
    }
}
