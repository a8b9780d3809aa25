/// Any explicit Runge–Kutta tableau with a fixed step; with ``ButcherTableau/classicalRK4`` this is RK4.
///
/// Steps are shortened to end exactly on save times and on the final time. Evaluation
/// between steps (``interpolate(at:into:)``) re-runs one step of the needed length from
/// the start of the step: the result is the solution that would have been produced had
/// that time been a save time (of the method's order, no extra storage). An error estimate or
/// dense output the tableau carries is not used.
final class FixedStepRungeKuttaStepper: TimeStepper {
    let system: ODESystem
    let stepSize: Double
    let dimension: Int
    private let cache: RungeKuttaCache
    private let interpolationCache: RungeKuttaCache
    private let endpoints: StepEndpoints
    var statistics = IntegrationStatistics()
    let landsOnSaveTimes = true
    let advisory: String? = nil

    /// Throws ``RiccatiError/invalidParameter(name:value:reason:)`` for an invalid `tableau` or
    /// `stepSize`. `executor` runs the vector loops in two parts (on two threads when it is
    /// concurrent; give the system the same executor); the results are the same either way.
    init(system: ODESystem, tableau: ButcherTableau = .classicalRK4, stepSize: Double,
         executor: TwoLaneExecutor = TwoLaneExecutor(concurrent: false)) throws(RiccatiError) {
        try tableau.validate()
        guard stepSize.isFinite, stepSize > 0 else { throw .invalid("step", stepSize, "must be finite and > 0") }
        self.system = system
        self.stepSize = stepSize
        dimension = system.dimension
        cache = RungeKuttaCache(tableau: tableau, dimension: dimension, parts: system.laneParts, executor: executor)
        interpolationCache = RungeKuttaCache(tableau: tableau, dimension: dimension, parts: system.laneParts, executor: executor)
        endpoints = StepEndpoints(dimension: dimension)
    }

    var time: Double { endpoints.time }
    var previousTime: Double { endpoints.previousTime }
    var state: UnsafeMutablePointer<Double> { endpoints.current.pointer }

    /// Whether the vector loops and the right-hand side run on two threads.
    var usesTwoLanes: Bool { cache.executor.isConcurrent }

    func start(time: Double, state: UnsafePointer<Double>, finalTime: Double) throws {
        endpoints.start(time: time, state: state)
    }

    /// The flow keeps `K` bounded by its initial size and by `λ_max` (the risk never increases),
    /// so an entry beyond this bound means the step is unstable; stopping there keeps the
    /// squares in the observables from overflowing.
    static var divergenceBound: Double { 1e100 }

    func advance(toAtMost limit: Double) throws {
        let h = clippedStep(stepSize, toward: limit)
        statistics.rhsEvaluations += cache.step(
            system: system, time: time, state: endpoints.current.pointer, stepSize: h, firstStageReady: false,
            output: endpoints.trial)
        statistics.acceptedSteps += 1
        endpoints.accept(step: h, limit: limit)
        guard endpoints.current.isFinite(bound: Self.divergenceBound) else {
            throw StepFailure(
                status: .nonFiniteState,
                message: "\(cache.tableau.name) diverged (a state entry beyond ±\(Self.divergenceBound) or not finite) at t = \(time) with step \(stepSize); use a smaller step")
        }
    }

    func interpolate(at t: Double, into output: UnsafeMutablePointer<Double>) throws {
        if endpoints.copyEndpoint(at: t, into: output) { return }
        statistics.rhsEvaluations += interpolationCache.step(
            system: system, time: previousTime, state: endpoints.previous.pointer, stepSize: t - previousTime,
            firstStageReady: false, output: output)
    }
}
