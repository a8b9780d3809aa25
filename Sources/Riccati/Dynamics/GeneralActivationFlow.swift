/// Gradient flow `dW/dt = −½∇_W R` on the population risk of a 2-homogeneous student with any
/// ``Activation``, in overlap coordinates (<doc:GeneralActivations>): a continuous
/// ``EffectiveDynamics`` on the packed state `[M | P]`.
///
/// The gradient is `½∇_W R = ½(S W + B Θ)` with the factors `S` (`r_s×r_s`, symmetric) and `B`
/// (`r_s×r`) of the kernel `κ` evaluated at the overlaps (``ActivationGradientFactors``), so the
/// flow closes exactly on `(M, P)` for every `d`:
///
///     dM/dt = −½ (S M + B),     dP/dt = −½ (S P + P S).
///
/// For `σ = He₂` (`κ = 2ρ²`) this is ``QuadraticGradientFlow``: `S = 8K`, `B = −8MΛ`. Only then is
/// it a matrix Riccati equation with a closed-form propagator (``IntegrationMethod/exact(_:)``,
/// which this type then delegates to the quadratic one); for every other activation the
/// Runge–Kutta methods integrate it. The risk is ``GeneralActivationRisk``'s, and each save also
/// records the risk split by Hermite degree (``Observables/riskByDegree``).
///
/// The equations are stiff at late times: the overall scale of `W` relaxes at a rate set by the
/// kernel's degree-0 part (for ReLU about 3 at `r = r_s = 128`, α = 1), while the directions are
/// learned on the time scale of `t` itself, so an explicit method's step is bounded by its
/// stability region rather than by accuracy.
public struct GeneralActivationFlow: EffectiveDynamics, ExactlyPropagated, PackedAsOverlapState, ActivationDynamics {
    public let spectrum: TeacherSpectrum
    public let studentWidth: Int
    public let activation: Activation

    /// Throws unless `studentWidth ≥ 1` and the activation is valid (``Activation/validate()``).
    public init(spectrum: TeacherSpectrum, studentWidth: Int, activation: Activation) throws(RiccatiError) {
        guard studentWidth >= 1 else { throw .invalid("studentWidth", studentWidth, "must be ≥ 1") }
        try activation.validate()
        self.spectrum = spectrum
        self.studentWidth = studentWidth
        self.activation = activation
    }

    public var name: String { "gradient-flow" }
    public var timeEvolution: TimeEvolution { .continuous }
    public var stateDimension: Int { studentWidth * spectrum.count + studentWidth * studentWidth }
    public var descriptor: DynamicsDescriptor { .activationGradientFlow(activation) }

    public func pack(_ state: OverlapState) -> [Double] { state.packed }

    public func unpack(_ packed: UnsafePointer<Double>) -> OverlapState {
        OverlapState(packed: packed, studentWidth: studentWidth, teacherWidth: spectrum.count)
    }

    public func risk(of state: OverlapState) throws(RiccatiError) -> Double {
        GeneralActivationRisk(spectrum: spectrum, studentWidth: studentWidth, activation: activation).risk(of: state)
    }

    public func makeVectorField() -> ODESystem? {
        ActivationVectorField(spectrum: spectrum, studentWidth: studentWidth, activation: activation)
    }

    public func makeStepMap() -> StepMap? { nil }

    /// The Runge–Kutta methods apply; the exact propagator only to `σ = He₂`.
    public func checkApplicable(_ method: IntegrationMethod) throws(RiccatiError) {
        if case .exact = method, !activation.isQuadratic {
            throw .unsupportedMethod(method: method.name, dynamics: "\(name) with σ = \(activation.name)",
                                     reason: "only σ = he2 (κ = 2ρ²) makes the overlap equation a matrix Riccati equation with a closed-form propagator; use dopri5, dop853 or rk4")
        }
    }

    func makeExactStepper(options: ExactPropagatorOptions) throws(RiccatiError) -> TimeStepper {
        try checkApplicable(.exact(options))
        return try QuadraticGradientFlow(spectrum: spectrum, studentWidth: studentWidth).makeExactStepper(options: options)
    }
}

/// An effective dynamics of the 2-homogeneous student with a general ``Activation``: its saves
/// record the risk split by Hermite degree, and its risk has no width floor in closed form.
protocol ActivationDynamics: EffectiveDynamics {
    var activation: Activation { get }
}

extension Activation {
    /// The population gradient flow of this activation: ``QuadraticGradientFlow`` (with its exact
    /// propagator and cancellation-free risk) for `σ = He₂`, ``GeneralActivationFlow`` otherwise.
    public func gradientFlow(spectrum: TeacherSpectrum, studentWidth: Int) throws(RiccatiError) -> any EffectiveDynamics {
        if isQuadratic { return try QuadraticGradientFlow(spectrum: spectrum, studentWidth: studentWidth) }
        return try GeneralActivationFlow(spectrum: spectrum, studentWidth: studentWidth, activation: self)
    }

    /// Population gradient descent with learning rate `η` for this activation:
    /// ``QuadraticPopulationGradientDescent`` for `σ = He₂`, ``GeneralActivationGradientDescent`` otherwise.
    public func gradientDescent(spectrum: TeacherSpectrum, studentWidth: Int, learningRate: Double) throws(RiccatiError) -> any EffectiveDynamics {
        if isQuadratic { return try QuadraticPopulationGradientDescent(spectrum: spectrum, studentWidth: studentWidth, learningRate: learningRate) }
        return try GeneralActivationGradientDescent(spectrum: spectrum, studentWidth: studentWidth, activation: self, learningRate: learningRate)
    }
}
