/// Gradient descent with learning rate `η` on the population risk of a 2-homogeneous student with
/// any ``Activation``, in overlap coordinates: a discrete ``EffectiveDynamics`` whose step `k` is
/// time `t = η·k` (the method of the paper's Figure 4).
///
/// The step `W ← W − (η/2)(S W + B Θ)` (``GeneralActivationFlow``'s gradient) closes on the overlaps:
///
///     M ← M − (η/2)(S M + B),     P ← (I − (η/2)S) P (I − (η/2)S),
///
/// the first being the explicit Euler step of the flow's `dM/dt`, the second a congruence that keeps
/// `P` positive semidefinite. As `η → 0` the iterates approach the flow with an `O(η)` error. The
/// step is stable while `η` stays below about `2/h`, with `h` the largest curvature (Hessian
/// eigenvalue) of `½R` along the run — for ReLU at `r = r_s = 128`, α = 1, about 3.2, so `η = 0.6`
/// is stable and `0.625` is not (<doc:GeneralActivations>); beyond, the iterates oscillate or grow,
/// and a run that overflows ends with ``IntegrationStatus/nonFiniteState``.
public struct GeneralActivationGradientDescent: EffectiveDynamics, TwoLaneStepMap, PackedAsOverlapState, ActivationDynamics {
    public let spectrum: TeacherSpectrum
    public let studentWidth: Int
    public let activation: Activation
    /// The learning rate `η`, also the time step.
    public let learningRate: Double

    /// Throws unless `studentWidth ≥ 1`, the activation is valid and `learningRate` is finite and `> 0`.
    public init(spectrum: TeacherSpectrum, studentWidth: Int, activation: Activation, learningRate: Double) throws(RiccatiError) {
        guard studentWidth >= 1 else { throw .invalid("studentWidth", studentWidth, "must be ≥ 1") }
        guard learningRate.isFinite, learningRate > 0 else { throw .invalid("learningRate", learningRate, "must be finite and > 0") }
        try activation.validate()
        self.spectrum = spectrum
        self.studentWidth = studentWidth
        self.activation = activation
        self.learningRate = learningRate
    }

    public var name: String { "gradient-descent" }
    public var timeEvolution: TimeEvolution { .discrete(step: learningRate) }
    public var stateDimension: Int { studentWidth * spectrum.count + studentWidth * studentWidth }
    public var descriptor: DynamicsDescriptor { .activationGradientDescent(activation, learningRate: learningRate) }

    public func pack(_ state: OverlapState) -> [Double] { state.packed }

    public func unpack(_ packed: UnsafePointer<Double>) -> OverlapState {
        OverlapState(packed: packed, studentWidth: studentWidth, teacherWidth: spectrum.count)
    }

    public func risk(of state: OverlapState) throws(RiccatiError) -> Double {
        GeneralActivationRisk(spectrum: spectrum, studentWidth: studentWidth, activation: activation).risk(of: state)
    }

    public func makeVectorField() -> ODESystem? { nil }

    public func makeStepMap() -> StepMap? {
        ActivationGradientDescentMap(spectrum: spectrum, studentWidth: studentWidth, activation: activation, learningRate: learningRate)
    }

    func makeStepMap(executor: TwoLaneExecutor) -> StepMap {
        ActivationGradientDescentMap(spectrum: spectrum, studentWidth: studentWidth, activation: activation, learningRate: learningRate,
                                     executor: executor)
    }

    /// No integration method applies: the map is iterated as it is.
    public func checkApplicable(_ method: IntegrationMethod) throws(RiccatiError) {
        throw .unsupportedMethod(method: method.name, dynamics: name,
                                 reason: "gradient descent is a discrete map, iterated at its own step η = \(learningRate)")
    }
}
