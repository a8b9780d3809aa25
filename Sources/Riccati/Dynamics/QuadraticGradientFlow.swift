/// Gradient flow on the population risk of the quadratic model, in overlap coordinates: the
/// first ``EffectiveDynamics`` and the one with an exact propagator.
///
/// With `K = MMᵀ + P`, the flow `dW/dt = −½ ∇_W R` of the student `f_W(x) = Σ_i He₂(⟨w_i, x⟩)`
/// against the teacher `f*(x) = Σ_j λ_j He₂(⟨θ_j, x⟩)` closes on the overlaps:
///
///     dM/dt = 4 (M Λ − K M),     dP/dt = −4 (K P + P K),
///
/// a matrix Riccati equation whose solution has the closed form that ``IntegrationMethod/exact(_:)``
/// evaluates. The risk is `R = 2‖WᵀW − ΘᵀΛΘ‖_F² = 2 (‖G − Λ‖_F² + 2 tr(MᵀPM) + ‖P‖_F²)` with
/// `G = MᵀM`. The packed state is `[M | P]` (row-major `M`, `r_s×r`, then row-major `P`).
public struct QuadraticGradientFlow: EffectiveDynamics, TwoLaneVectorField, ExactlyPropagated, QuadraticEscapeSlopes {
    public let spectrum: TeacherSpectrum
    public let studentWidth: Int

    /// Throws unless `studentWidth ≥ 1`.
    public init(spectrum: TeacherSpectrum, studentWidth: Int) throws(RiccatiError) {
        guard studentWidth >= 1 else { throw .invalid("studentWidth", studentWidth, "must be ≥ 1") }
        self.spectrum = spectrum
        self.studentWidth = studentWidth
    }

    public var name: String { "gradient-flow" }
    public var timeEvolution: TimeEvolution { .continuous }
    public var stateDimension: Int { studentWidth * spectrum.count + studentWidth * studentWidth }
    public var descriptor: DynamicsDescriptor { .gradientFlow }

    public func pack(_ state: OverlapState) -> [Double] { state.packed }

    public func unpack(_ packed: UnsafePointer<Double>) -> OverlapState {
        OverlapState(packed: packed, studentWidth: studentWidth, teacherWidth: spectrum.count)
    }

    public func risk(of state: OverlapState) throws(RiccatiError) -> Double {
        let evaluator = QuadraticRiskEvaluator(spectrum: spectrum, studentWidth: studentWidth)
        return state.packed.withUnsafeBufferPointer { evaluator.risk(packed: $0.baseAddress!) }
    }

    public func makeVectorField() -> ODESystem? { OverlapVectorField(spectrum: spectrum, studentWidth: studentWidth) }

    public func makeStepMap() -> StepMap? { nil }

    /// Every method applies.
    public func checkApplicable(_ method: IntegrationMethod) throws(RiccatiError) {}

    func makeVectorField(executor: TwoLaneExecutor) -> ODESystem {
        OverlapVectorField(spectrum: spectrum, studentWidth: studentWidth, executor: executor)
    }

    func makeExactStepper(options: ExactPropagatorOptions) throws(RiccatiError) -> TimeStepper {
        try options.validate()
        if options.factorization == .lq { return try LQPropagatorStepper(spectrum: spectrum, studentWidth: studentWidth, options: options) }
        return try ExactPropagatorStepper(spectrum: spectrum, studentWidth: studentWidth, options: options)
    }
}
