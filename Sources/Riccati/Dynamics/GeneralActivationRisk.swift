import LinearAlgebra

/// The population risk `R = E[(f_W(x) − f*(x))²]` of the 2-homogeneous student with activation `σ`,
/// and its split by Hermite degree, from the overlaps (<doc:GeneralActivations>):
///
///     R = Σ_ii' q_i q_i' κ(ρ_ii') − 2 Σ_ij q_i λ_j κ(m_ij) + Σ_jj' λ_j λ_j' κ(δ_jj')
///
/// with `Q = MMᵀ + P`, `q_i = Q_ii`, `ρ_ii' = Q_ii'/√(q_i q_i')` (`ρ_ii = 1`), `m_ij = M_ij/√q_i`.
/// The teacher's own term is `κ(0)(Σλ)² + (κ(1) − κ(0)) Σλ²`.
///
/// The sum is evaluated as it stands: its terms are of the size of `κ(1)(Σ q_i)²` and cancel as
/// the student learns, so the absolute error is about `1e-16` times that size (for the quadratic
/// model ``QuadraticGradientFlow`` uses a cancellation-free form instead).
public struct GeneralActivationRisk: Sendable {
    public let spectrum: TeacherSpectrum
    public let studentWidth: Int
    public let activation: Activation
    private let kernel: ActivationKernel

    public init(spectrum: TeacherSpectrum, studentWidth: Int, activation: Activation) {
        self.spectrum = spectrum
        self.studentWidth = studentWidth
        self.activation = activation
        kernel = ActivationKernel(activation)
    }

    /// `R` of `state` (which must have this width and the teacher's `r`).
    public func risk(of state: OverlapState) -> Double {
        state.packed.withUnsafeBufferPointer { evaluate(packed: $0.baseAddress!).risk }
    }

    /// `R` and its parts by Hermite degree of `state`.
    public func riskByDegree(of state: OverlapState) -> RiskByHermiteDegree {
        state.packed.withUnsafeBufferPointer { evaluate(packed: $0.baseAddress!) }
    }

    /// `R` and its split for the packed state `[M | P]`.
    func evaluate(packed y: UnsafePointer<Double>) -> RiskByHermiteDegree {
        let rs = studentWidth, r = spectrum.count, lambda = spectrum.values
        var q = [Double](repeating: 0, count: rs * rs)
        q.withUnsafeMutableBufferPointer { gram in
            let g = gram.baseAddress!
            g.update(from: y + rs * r, count: rs * rs)
            BLAS.syrkUpper(transpose: false, n: rs, k: r, alpha: 1, a: y, lda: r, beta: 1, c: g, ldc: rs)
            BLAS.mirrorUpperToLower(g, n: rs, ldc: rs)
        }
        let diagonal = (0..<rs).map { Swift.max(q[$0 * rs + $0], 0) }
        let roots = diagonal.map { $0.squareRoot() }
        let norms = roots.map { Swift.max($0, ActivationGradientFactors.normFloor) }
        // Σ_ii' q_i q_i' κ(ρ_ii') and the degree-1 and degree-2 sums Σ n_i n_i' Q_ii', Σ Q_ii'².
        var studentKernel = 0.0, studentLinear = 0.0, studentQuadratic = 0.0
        for i in 0..<rs {
            for k in 0..<rs {
                let value = q[i * rs + k]
                let kappa = i == k ? kernel.value(1) : kernel.value(value / (norms[i] * norms[k]))
                studentKernel += diagonal[i] * diagonal[k] * kappa
                studentLinear += roots[i] * roots[k] * value
                studentQuadratic += value * value
            }
        }
        // Σ_ij q_i λ_j κ(m_ij), Σ n_i λ_j M_ij, Σ λ_j M_ij².
        var crossKernel = 0.0, crossLinear = 0.0, crossQuadratic = 0.0
        for i in 0..<rs {
            for j in 0..<r {
                let mij = y[i * r + j]
                crossKernel += diagonal[i] * lambda[j] * kernel.value(mij / norms[i])
                crossLinear += roots[i] * lambda[j] * mij
                crossQuadratic += lambda[j] * mij * mij
            }
        }
        let lambdaSum = lambda.reduce(0, +), lambdaSquares = lambda.reduce(0) { $0 + $1 * $1 }
        let (kappaZero, kappaOne) = (kernel.value(0), kernel.value(1))
        let teacher = kappaZero * lambdaSum * lambdaSum + (kappaOne - kappaZero) * lambdaSquares
        let total = studentKernel - 2 * crossKernel + teacher
        let (c0, c1, c2) = activation.lowDegreeCoefficients
        let massGap = diagonal.reduce(0, +) - lambdaSum
        let he0 = c0 * c0 * massGap * massGap
        let he1 = c1 * c1 * (studentLinear - 2 * crossLinear + lambdaSquares)
        let he2 = 2 * c2 * c2 * (studentQuadratic - 2 * crossQuadratic + lambdaSquares)
        return RiskByHermiteDegree(risk: total, he0: he0, he1: Swift.max(he1, 0), he2: Swift.max(he2, 0),
                                   higher: Swift.max(total - he0 - Swift.max(he1, 0) - Swift.max(he2, 0), 0))
    }
}

/// The population risk split by the Hermite degree of the error `f_W − f*`: the degree-`k` parts
/// of student and teacher are orthogonal in `L²(N(0, I))`, so `R = Σ_k R_k` with
///
///     R_k = c_k² k! (Σ_ii' q_i q_i' ρ_ii'^k − 2 Σ_ij q_i λ_j m_ij^k + Σ_j λ_j²)      (k ≥ 1),
///     R_0 = c_0² (Σ_i q_i − Σ_j λ_j)².
///
/// ``he0`` is the mismatch of the means (the student's total mass `Σ‖w_i‖²` against `Σλ_j`), which
/// carries most of a small initialisation's risk for ReLU; ``he2`` is the quadratic model's risk
/// scaled by `c_2²`; ``higher`` is the rest, `R − R_0 − R_1 − R_2` (clamped at 0 against rounding).
public struct RiskByHermiteDegree: Sendable, Equatable, Codable {
    /// The whole risk `R`.
    public var risk: Double
    /// `R_0`.
    public var he0: Double
    /// `R_1`.
    public var he1: Double
    /// `R_2`.
    public var he2: Double
    /// `R_{≥3}`.
    public var higher: Double

    public init(risk: Double, he0: Double, he1: Double, he2: Double, higher: Double) {
        self.risk = risk
        self.he0 = he0
        self.he1 = he1
        self.he2 = he2
        self.higher = higher
    }
}
