/// The exact one-step conditional mean of online minibatch SGD on the quadratic model, in
/// overlap coordinates: a discrete ``EffectiveDynamics`` stepped at the SGD's own learning rate
/// (step `k` is time `t = η·k`).
///
/// Given `W`, one SGD step `W' = W − ηĝ` with a fresh batch of `B` Gaussian inputs has
/// `E[W'] = W − 4ηWD` and `E[W'W'ᵀ] = WWᵀ − 8η WDWᵀ + η² E[ĝĝᵀ]` (`D = WᵀW − ΘᵀΛΘ`), and both
/// are functions of the overlaps `(M, P)` and of `η, B, d, ς` alone (<doc:SGDAwareDynamics>).
/// The map replaces the state by these means:
///
///     M ← M − 4η X,                        X = KM − MΛ,  K = MMᵀ + P
///     P ← (I − 4ηK) P (I − 4ηK) + (η²/B) C
///     C = (8d+40)‖D‖² K + (32d+112) WD²Wᵀ + 32 tr D · WDWᵀ + 4ς²(d+1) K
///
/// `C` is the covariance `E[ggᵀ] − E[g]E[g]ᵀ` of one per-sample gradient; without it (`B → ∞`)
/// the map is ``QuadraticPopulationGradientDescent``. Iterating the map neglects only the
/// fluctuations of the overlaps themselves (`E[f(X)]` against `f(E[X])`), which vanish as
/// `η → 0` at fixed `c = η·d/B`; their largest effect is near the escape from the initial
/// plateau, which SGD's fluctuations make earlier than the mean predicts.
///
/// The packed state is `[M | P]`, as for the gradient flow; the risk is the population (excess)
/// risk `2‖D‖²` of the mean state. A step count too large for the noise (`c` or `η` too large)
/// diverges, and the solve ends with ``IntegrationStatus/nonFiniteState``.
public struct QuadraticSGDMeanMap: EffectiveDynamics, TwoLaneStepMap, PackedAsOverlapState {
    public let spectrum: TeacherSpectrum
    public let studentWidth: Int
    public let parameters: MinibatchSGDParameters

    /// Throws unless `studentWidth ≥ 1` and `parameters` are valid for the teacher
    /// (``MinibatchSGDParameters/validate(teacherWidth:)``).
    public init(spectrum: TeacherSpectrum, studentWidth: Int, parameters: MinibatchSGDParameters) throws(RiccatiError) {
        guard studentWidth >= 1 else { throw .invalid("studentWidth", studentWidth, "must be ≥ 1") }
        try parameters.validate(teacherWidth: spectrum.count)
        self.spectrum = spectrum
        self.studentWidth = studentWidth
        self.parameters = parameters
    }

    public var name: String { "sgd-mean-map" }
    public var timeEvolution: TimeEvolution { .discrete(step: parameters.learningRate) }
    public var stateDimension: Int { studentWidth * spectrum.count + studentWidth * studentWidth }
    public var descriptor: DynamicsDescriptor { .sgdMeanMap(parameters) }

    public func pack(_ state: OverlapState) -> [Double] { state.packed }

    public func unpack(_ packed: UnsafePointer<Double>) -> OverlapState {
        OverlapState(packed: packed, studentWidth: studentWidth, teacherWidth: spectrum.count)
    }

    /// The quadratic model's population risk of the mean state.
    public func risk(of state: OverlapState) throws(RiccatiError) -> Double {
        try QuadraticGradientFlow(spectrum: spectrum, studentWidth: studentWidth).risk(of: state)
    }

    public func makeVectorField() -> ODESystem? { nil }

    public func makeStepMap() -> StepMap? {
        SGDMeanStepMap(spectrum: spectrum, studentWidth: studentWidth, parameters: parameters)
    }

    func makeStepMap(executor: TwoLaneExecutor) -> StepMap {
        SGDMeanStepMap(spectrum: spectrum, studentWidth: studentWidth, parameters: parameters, executor: executor)
    }

    /// No integration method applies: the map is iterated at the SGD's own step `η`.
    public func checkApplicable(_ method: IntegrationMethod) throws(RiccatiError) {
        throw .unsupportedMethod(method: method.name, dynamics: name,
                                 reason: "the mean map is a discrete map, iterated at the SGD's own step η = \(parameters.learningRate)")
    }
}
