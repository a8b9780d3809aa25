/// Gradient descent on the population risk of the quadratic model with learning rate `η`, in
/// overlap coordinates: a discrete ``EffectiveDynamics`` whose step `k` is time `t = η·k`.
///
/// The step `W ← W − η·½∇_W R = W − 4η W D`, with `D = WᵀW − ΘᵀΛΘ`, rewrites as
/// `W ← (I − 4ηK) W + 4η M Λ Θ` (`K = WWᵀ = MMᵀ + P`). Projecting on the teacher directions and
/// on their orthogonal complement (where `Θ` vanishes) closes it exactly on the overlaps, for any
/// `η` and any dimension `d`:
///
///     M ← M + 4η (M Λ − K M),          P ← (I − 4ηK) P (I − 4ηK).
///
/// The first is the explicit Euler step of ``QuadraticGradientFlow``'s `dM/dt`; the second keeps
/// `P` positive semidefinite exactly (a congruence), where Euler's `P − 4η(KP + PK)` would not.
/// As `η → 0` the iterates approach the gradient flow at the same times with an `O(η)` error.
/// The packed state is `[M | P]`, like the flow's.
///
/// Too large a step diverges: the step is stable while `4η·λ_max(K)` stays below about 1 (near
/// the optimum `K`'s top eigenvalue is about `λ_max`, so `η ≲ 1/(4λ_max)`); a diverging run ends
/// with ``IntegrationStatus/nonFiniteState``.
public struct QuadraticPopulationGradientDescent: EffectiveDynamics, PackedAsOverlapState {
    public let spectrum: TeacherSpectrum
    public let studentWidth: Int
    /// The learning rate `η`, also the time step.
    public let learningRate: Double

    /// Throws unless `studentWidth ≥ 1` and `learningRate` is finite and `> 0`.
    public init(spectrum: TeacherSpectrum, studentWidth: Int, learningRate: Double) throws(RiccatiError) {
        guard studentWidth >= 1 else { throw .invalid("studentWidth", studentWidth, "must be ≥ 1") }
        guard learningRate.isFinite, learningRate > 0 else { throw .invalid("learningRate", learningRate, "must be finite and > 0") }
        self.spectrum = spectrum
        self.studentWidth = studentWidth
        self.learningRate = learningRate
    }

    public var name: String { "population-gradient-descent" }
    public var timeEvolution: TimeEvolution { .discrete(step: learningRate) }
    public var stateDimension: Int { studentWidth * spectrum.count + studentWidth * studentWidth }
    public var descriptor: DynamicsDescriptor { .populationGradientDescent(learningRate: learningRate) }

    public func pack(_ state: OverlapState) -> [Double] { state.packed }

    public func unpack(_ packed: UnsafePointer<Double>) -> OverlapState {
        OverlapState(packed: packed, studentWidth: studentWidth, teacherWidth: spectrum.count)
    }

    /// The quadratic model's risk, as for the gradient flow.
    public func risk(of state: OverlapState) throws(RiccatiError) -> Double {
        try QuadraticGradientFlow(spectrum: spectrum, studentWidth: studentWidth).risk(of: state)
    }

    public func makeVectorField() -> ODESystem? { nil }

    public func makeStepMap() -> StepMap? {
        QuadraticGradientDescentMap(spectrum: spectrum, studentWidth: studentWidth, learningRate: learningRate)
    }

    /// No integration method applies: the map is iterated as it is.
    public func checkApplicable(_ method: IntegrationMethod) throws(RiccatiError) {
        throw .unsupportedMethod(method: method.name, dynamics: name,
                                 reason: "gradient descent is a discrete map, iterated at its own step η = \(learningRate)")
    }
}
