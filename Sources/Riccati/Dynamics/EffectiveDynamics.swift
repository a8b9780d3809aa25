/// A deterministic evolution of the overlaps of a student with a teacher: the "effective dynamics"
/// that replaces the `r_s×d` weights `W` by `d`-free summaries in the high-dimensional limit.
///
/// Every effective dynamics in RiccatiKit describes the same objects — a teacher spectrum
/// `λ_1 … λ_r`, a student of width `r_s`, and at each time the overlap state `(M, P)` of
/// ``OverlapState`` (`M = WΘᵀ`, `P` the Gram matrix of the student's parts orthogonal to the
/// teacher) — and differs in how that state moves and in how its risk is computed:
///
/// - a continuous-time flow `dy/dt = f(y)` (``TimeEvolution/continuous``): gradient flow on the
///   population risk (``QuadraticGradientFlow``), integrated by the Runge–Kutta methods, or by the
///   exact propagator where the dynamics has one;
/// - a discrete map `y_{k+1} = Φ(y_k)` applied at a fixed time step (``TimeEvolution/discrete(step:)``):
///   population gradient descent (``QuadraticPopulationGradientDescent``) and the one-step mean of
///   minibatch SGD (``QuadraticSGDMeanMap``), iterated as they are.
///
/// The continuous ones are gradient flow and the high-dimensional limit of minibatch SGD
/// (``QuadraticSGDLimitFlow``, <doc:SGDAwareDynamics>).
///
/// ``solve(_:method:locateEscapes:threads:shouldStop:)`` serves every conformer with the same
/// driver, save times, ``Solution``, observables (risk, alignments `G_jj/λ_j`, learned count,
/// spectrum of `K = MMᵀ + P`), escape times, dense output or re-integration, and interruption.
///
/// **The packed state.** The integrators work on a flat vector of ``stateDimension`` doubles.
/// Its layout is the conformer's, with one rule: its first `r_s·r` entries are `M`, row-major
/// (`y[i·r + j] = M_ij`), so that the alignments and escape times are read off the packed state
/// without unpacking it. ``pack(_:)`` and ``unpack(_:)`` convert to and from ``OverlapState``.
///
/// Conformers are values (`Sendable`); what they evaluate with scratch memory
/// (``makeVectorField()``, ``makeStepMap()``) is made afresh for each solve and never shared
/// between threads.
public protocol EffectiveDynamics: Sendable {
    /// The name used in reports and on the command line, e.g. `gradient-flow`.
    var name: String { get }
    /// The teacher coefficients `λ_j`.
    var spectrum: TeacherSpectrum { get }
    /// The student width `r_s`.
    var studentWidth: Int { get }
    /// How time advances: a vector field, or a map applied every `step` time units.
    var timeEvolution: TimeEvolution { get }
    /// The length of the packed state.
    var stateDimension: Int { get }
    /// What a ``Solution`` of this dynamics records as its ``Solution/dynamics``.
    var descriptor: DynamicsDescriptor { get }

    /// The packed state of `state` (its first `r_s·r` entries are `M`, row-major).
    func pack(_ state: OverlapState) -> [Double]
    /// The overlap state of a packed state of length ``stateDimension``.
    func unpack(_ packed: UnsafePointer<Double>) -> OverlapState
    /// The population risk `R = E[(f_W(x) − f*(x))²]` of a state.
    func risk(of state: OverlapState) throws(RiccatiError) -> Double
    /// The vector field `f` of a ``TimeEvolution/continuous`` dynamics on the packed state; `nil`
    /// for a discrete one. Called once per solve: the system may keep scratch buffers.
    func makeVectorField() -> ODESystem?
    /// The one-step map of a ``TimeEvolution/discrete(step:)`` dynamics; `nil` for a continuous one.
    func makeStepMap() -> StepMap?
    /// Throws when `method` cannot integrate this dynamics (for instance the exact propagator,
    /// which exists only for the quadratic gradient flow).
    func checkApplicable(_ method: IntegrationMethod) throws(RiccatiError)
}

/// How an effective dynamics advances in time.
public enum TimeEvolution: Sendable, Equatable {
    /// `dy/dt = f(y)`, integrated by an ``IntegrationMethod``.
    case continuous
    /// `y(t + step) = Φ(y(t))`: the state exists at the multiples of `step` only (for gradient
    /// descent, `t = η·k` after `k` steps of learning rate `η`).
    case discrete(step: Double)

    /// The step of a discrete evolution, `nil` for a continuous one.
    public var step: Double? {
        if case .discrete(let step) = self { return step }
        return nil
    }
}

/// The one-step map `y ↦ Φ(y)` of a discrete effective dynamics, on the packed state.
///
/// Like ``ODESystem`` it evaluates into caller-provided memory and must not allocate; it may keep
/// scratch buffers of its own, so it is a class and is not shared between threads.
public protocol StepMap: AnyObject {
    /// The length of the packed state.
    var dimension: Int { get }
    /// Writes `Φ(state)` into `next` (length ``dimension``); `state` and `next` never alias.
    func apply(state: UnsafePointer<Double>, next: UnsafeMutablePointer<Double>)
}

/// Which effective dynamics a ``Solution`` came from, with its parameters: what a report or a
/// decoded solution needs to name it and, for RiccatiKit's own dynamics, to rebuild it.
public enum DynamicsDescriptor: Sendable, Equatable, Codable {
    /// ``QuadraticGradientFlow``.
    case gradientFlow
    /// ``QuadraticPopulationGradientDescent`` with learning rate `η`.
    case populationGradientDescent(learningRate: Double)
    /// ``QuadraticSGDMeanMap``: the one-step mean of minibatch SGD with these parameters.
    case sgdMeanMap(MinibatchSGDParameters)
    /// ``QuadraticSGDLimitFlow`` with noise ratio `c = η·d/B` and label noise `ς`.
    case sgdLimit(stepNoiseRatio: Double, labelNoise: Double)
    /// ``GeneralActivationFlow`` with this activation.
    case activationGradientFlow(Activation)
    /// ``GeneralActivationGradientDescent`` with this activation and learning rate `η`.
    case activationGradientDescent(Activation, learningRate: Double)
    /// A dynamics defined outside RiccatiKit, by its ``EffectiveDynamics/name``.
    case custom(name: String)

    /// The dynamics this descriptor names, for a teacher `spectrum` and a student of width `rs`;
    /// `nil` for ``custom(name:)``, which RiccatiKit cannot rebuild.
    public func dynamics(spectrum: TeacherSpectrum, studentWidth rs: Int) throws(RiccatiError) -> (any EffectiveDynamics)? {
        switch self {
        case .gradientFlow:
            return try QuadraticGradientFlow(spectrum: spectrum, studentWidth: rs)
        case .populationGradientDescent(let eta):
            return try QuadraticPopulationGradientDescent(spectrum: spectrum, studentWidth: rs, learningRate: eta)
        case .sgdMeanMap(let parameters):
            return try QuadraticSGDMeanMap(spectrum: spectrum, studentWidth: rs, parameters: parameters)
        case .sgdLimit(let ratio, let noise):
            return try QuadraticSGDLimitFlow(spectrum: spectrum, studentWidth: rs, stepNoiseRatio: ratio, labelNoise: noise)
        case .activationGradientFlow(let activation):
            return try GeneralActivationFlow(spectrum: spectrum, studentWidth: rs, activation: activation)
        case .activationGradientDescent(let activation, let eta):
            return try GeneralActivationGradientDescent(spectrum: spectrum, studentWidth: rs, activation: activation, learningRate: eta)
        case .custom:
            return nil
        }
    }
}

/// A dynamics whose vector field can evaluate in two fixed parts on two threads
/// (``TwoLaneExecutor``); the integrators then split their vector arithmetic the same way.
protocol TwoLaneVectorField: EffectiveDynamics {
    func makeVectorField(executor: TwoLaneExecutor) -> ODESystem
}

/// A discrete dynamics whose step map can evaluate in two fixed parts on two threads
/// (``TwoLaneExecutor``), with the same bits either way.
protocol TwoLaneStepMap: EffectiveDynamics {
    func makeStepMap(executor: TwoLaneExecutor) -> StepMap
}

/// A dynamics with a closed-form propagator (``IntegrationMethod/exact(_:)``).
protocol ExactlyPropagated: EffectiveDynamics {
    func makeExactStepper(options: ExactPropagatorOptions) throws(RiccatiError) -> TimeStepper
}

/// A dynamics whose packed state is ``OverlapState``'s own layout `[M | P]` (row-major `M`, then
/// row-major `P`): observables are evaluated on it directly, without unpacking.
protocol PackedAsOverlapState: EffectiveDynamics {}

/// A dynamics on the layout `[M | P]` whose escape-time slope is the quadratic gradient flow's
/// closed form `dG_jj/dt = 8 (λ_j ‖m‖² − ‖Mᵀm‖² − mᵀPm)` (`m = M_{:,j}`): two GEMMs for all
/// directions crossing in a step instead of one evaluation of the vector field per trial point.
protocol QuadraticEscapeSlopes: PackedAsOverlapState {}
