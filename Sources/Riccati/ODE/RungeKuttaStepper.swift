/// Stage vectors and the generic explicit Runge–Kutta step shared by the RK4 and Dormand–Prince steppers.
final class RungeKuttaCache {
    let tableau: ButcherTableau
    let dimension: Int
    /// `stages[i]` holds `k_i`. Steppers may swap entries (FSAL) instead of copying.
    var stages: [ScratchBuffer]
    /// Input of the stage being evaluated; after ``step`` it holds the last intermediate stage's input.
    let stageInput: ScratchBuffer

    init(tableau: ButcherTableau, dimension: Int) {
        self.tableau = tableau
        self.dimension = dimension
        stages = (0..<tableau.stageCount).map { _ in ScratchBuffer(count: dimension) }
        stageInput = ScratchBuffer(count: dimension)
    }

    /// Computes `y_new = y + h Σ b_i k_i`. When `firstStageReady`, `stages[0]` already holds
    /// `f(t, y)` (FSAL). For a first-same-as-last tableau the last stage is `f(t + h, y_new)`.
    /// Returns the number of right-hand-side evaluations made.
    @discardableResult
    func step(
        system: ODESystem, time t: Double, state y: UnsafePointer<Double>, stepSize h: Double,
        firstStageReady: Bool, output yNew: UnsafeMutablePointer<Double>
    ) -> Int {
        let n = dimension
        var evaluations = 0
        if !firstStageReady {
            system.evaluate(time: t, state: y, derivative: stages[0].pointer)
            evaluations += 1
        }
        let lastIntermediate = tableau.firstSameAsLast ? tableau.stageCount - 1 : tableau.stageCount
        let input = stageInput.pointer
        for i in 1..<lastIntermediate {
            let row = tableau.a[i]
            input.update(from: y, count: n)
            for j in 0..<i where row[j] != 0 {
                let weight = h * row[j]
                let k = stages[j].pointer
                for index in 0..<n { input[index] += weight * k[index] }
            }
            system.evaluate(time: t + tableau.c[i] * h, state: input, derivative: stages[i].pointer)
            evaluations += 1
        }
        yNew.update(from: y, count: n)
        for j in 0..<tableau.stageCount where tableau.b[j] != 0 {
            let weight = h * tableau.b[j]
            let k = stages[j].pointer
            for index in 0..<n { yNew[index] += weight * k[index] }
        }
        if tableau.firstSameAsLast {
            system.evaluate(time: t + h, state: yNew, derivative: stages[tableau.stageCount - 1].pointer)
            evaluations += 1
        }
        return evaluations
    }
}

/// A fixed-step explicit Runge–Kutta method; with ``ButcherTableau/classicalRK4`` this is RK4.
///
/// Steps are shortened to end exactly on save times and on the final time. Evaluation
/// between steps (``interpolate(at:into:)``) re-runs one step of the needed length from
/// the start of the step: the result is the solution that would have been produced had
/// that time been a save time (of the method's order, no extra storage).
final class FixedStepRungeKuttaStepper: TimeStepper {
    let system: ODESystem
    let stepSize: Double
    let dimension: Int
    private let cache: RungeKuttaCache
    private let interpolationCache: RungeKuttaCache
    private let current: ScratchBuffer
    private let previous: ScratchBuffer
    private(set) var time = 0.0
    private(set) var previousTime = 0.0
    var statistics = IntegrationStatistics()
    let landsOnSaveTimes = true
    let advisory: String? = nil

    init(system: ODESystem, tableau: ButcherTableau = .classicalRK4, stepSize: Double) {
        self.system = system
        self.stepSize = stepSize
        dimension = system.dimension
        cache = RungeKuttaCache(tableau: tableau, dimension: dimension)
        interpolationCache = RungeKuttaCache(tableau: tableau, dimension: dimension)
        current = ScratchBuffer(count: dimension)
        previous = ScratchBuffer(count: dimension)
    }

    var state: UnsafeMutablePointer<Double> { current.pointer }

    func start(time: Double, state: UnsafePointer<Double>, finalTime: Double) throws {
        self.time = time
        previousTime = time
        current.copy(from: state)
        previous.copy(from: state)
    }

    /// The flow keeps `K` bounded by its initial size and by `λ_max` (the risk never increases),
    /// so an entry beyond this bound means the fixed step is unstable; stopping there keeps the
    /// squares in the observables from overflowing.
    static var divergenceBound: Double { 1e100 }

    func advance(toAtMost limit: Double) throws {
        let h = clippedStep(stepSize, toward: limit)
        previous.copy(from: current.pointer)
        statistics.rhsEvaluations += cache.step(
            system: system, time: time, state: previous.pointer, stepSize: h, firstStageReady: false,
            output: current.pointer)
        statistics.acceptedSteps += 1
        previousTime = time
        time = (h == limit - time) ? limit : time + h
        guard current.isFinite(bound: Self.divergenceBound) else {
            throw StepFailure(
                status: .nonFiniteState,
                message: "\(cache.tableau.name) diverged (a state entry beyond ±\(Self.divergenceBound) or not finite) at t = \(time) with step \(stepSize); use a smaller --step")
        }
    }

    func interpolate(at t: Double, into output: UnsafeMutablePointer<Double>) throws {
        if t == time { output.update(from: current.pointer, count: dimension); return }
        if t == previousTime { output.update(from: previous.pointer, count: dimension); return }
        statistics.rhsEvaluations += interpolationCache.step(
            system: system, time: previousTime, state: previous.pointer, stepSize: t - previousTime,
            firstStageReady: false, output: output)
    }
}
