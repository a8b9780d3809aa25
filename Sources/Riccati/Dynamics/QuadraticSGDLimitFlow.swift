/// The high-dimensional limit of online minibatch SGD on the quadratic model at a fixed noise
/// ratio `c = η·d/B` (`η → 0`, `d/B → ∞`): a continuous ``EffectiveDynamics`` in the overlaps.
///
///     dM/dt = 4 (MΛ − KM)
///     dP/dt = −4 (KP + PK) + c (8‖D‖² K + 32 WD²Wᵀ + 4ς² K)
///
/// with `K = MMᵀ + P`, `‖D‖² = R/2` and `WD²Wᵀ = XXᵀ + KPK`, `X = KM − MΛ`
/// (<doc:SGDAwareDynamics>). In the teacher-side form `dK/dt = 8(MΛMᵀ − K²) + c(…)` of the
/// issue and the reference, the drift is the same. With `c = 0` it is ``QuadraticGradientFlow``;
/// with `c > 0` it is no longer a Riccati equation and has no closed-form propagator, so the
/// Runge–Kutta methods integrate it (``IntegrationMethod/dormandPrince(_:)`` by default).
///
/// The drift keeps `P` positive semidefinite (it is a covariance); label noise `ς > 0` keeps the
/// risk above a floor of order `c ς²` where the gradient flow goes to zero. The packed state is
/// `[M | P]`; `dM/dt` is the gradient flow's, so escape times use its closed-form slopes.
public struct QuadraticSGDLimitFlow: EffectiveDynamics, TwoLaneVectorField, QuadraticEscapeSlopes {
    public let spectrum: TeacherSpectrum
    public let studentWidth: Int
    /// `c = η·d/B ≥ 0`.
    public let stepNoiseRatio: Double
    /// The label-noise standard deviation `ς ≥ 0`.
    public let labelNoise: Double

    /// Throws unless `studentWidth ≥ 1`, and `stepNoiseRatio` and `labelNoise` are finite and `≥ 0`.
    public init(spectrum: TeacherSpectrum, studentWidth: Int, stepNoiseRatio: Double, labelNoise: Double = 0) throws(RiccatiError) {
        guard studentWidth >= 1 else { throw .invalid("studentWidth", studentWidth, "must be ≥ 1") }
        guard stepNoiseRatio.isFinite, stepNoiseRatio >= 0 else { throw .invalid("stepNoiseRatio", stepNoiseRatio, "must be finite and ≥ 0") }
        guard labelNoise.isFinite, labelNoise >= 0 else { throw .invalid("labelNoise", labelNoise, "must be finite and ≥ 0") }
        self.spectrum = spectrum
        self.studentWidth = studentWidth
        self.stepNoiseRatio = stepNoiseRatio
        self.labelNoise = labelNoise
    }

    /// The limit of SGD with `parameters` (its `c = η·d/B` and `ς`), after validating them.
    public init(spectrum: TeacherSpectrum, studentWidth: Int, parameters: MinibatchSGDParameters) throws(RiccatiError) {
        try parameters.validate(teacherWidth: spectrum.count)
        try self.init(spectrum: spectrum, studentWidth: studentWidth, stepNoiseRatio: parameters.stepNoiseRatio,
                      labelNoise: parameters.labelNoise)
    }

    public var name: String { "sgd-limit" }
    public var timeEvolution: TimeEvolution { .continuous }
    public var stateDimension: Int { studentWidth * spectrum.count + studentWidth * studentWidth }
    public var descriptor: DynamicsDescriptor { .sgdLimit(stepNoiseRatio: stepNoiseRatio, labelNoise: labelNoise) }

    public func pack(_ state: OverlapState) -> [Double] { state.packed }

    public func unpack(_ packed: UnsafePointer<Double>) -> OverlapState {
        OverlapState(packed: packed, studentWidth: studentWidth, teacherWidth: spectrum.count)
    }

    public func risk(of state: OverlapState) throws(RiccatiError) -> Double {
        try QuadraticGradientFlow(spectrum: spectrum, studentWidth: studentWidth).risk(of: state)
    }

    public func makeVectorField() -> ODESystem? {
        SGDLimitVectorField(spectrum: spectrum, studentWidth: studentWidth, stepNoiseRatio: stepNoiseRatio, labelNoise: labelNoise)
    }

    public func makeStepMap() -> StepMap? { nil }

    func makeVectorField(executor: TwoLaneExecutor) -> ODESystem {
        SGDLimitVectorField(spectrum: spectrum, studentWidth: studentWidth, stepNoiseRatio: stepNoiseRatio, labelNoise: labelNoise,
                            executor: executor)
    }

    /// The Runge–Kutta methods apply; the exact propagator does not.
    public func checkApplicable(_ method: IntegrationMethod) throws(RiccatiError) {
        if case .exact = method {
            throw .unsupportedMethod(method: method.name, dynamics: name,
                                     reason: "the minibatch-noise drift makes the dynamics non-Riccati, so it has no closed-form propagator; use dopri5 or rk4")
        }
    }
}
