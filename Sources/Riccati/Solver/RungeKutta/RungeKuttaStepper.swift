/// Stage vectors and the generic explicit Runge–Kutta step shared by the RK4 and Dormand–Prince steppers.
///
/// Every vector loop runs in the system's two fixed parts (``ODESystem/laneParts``) through a
/// ``TwoLaneExecutor``: on two threads when it is concurrent, one after the other otherwise, with
/// the same results either way.
final class RungeKuttaCache {
    let tableau: ButcherTableau
    let dimension: Int
    let executor: TwoLaneExecutor
    /// The index ranges of part 0 and part 1.
    let parts: [[Range<Int>]]
    /// `stages[i]` holds `k_i`. Steppers may swap entries (FSAL) instead of copying.
    var stages: [ScratchBuffer]
    /// Input of the stage being evaluated; after ``step`` it holds the last intermediate stage's input.
    let stageInput: ScratchBuffer
    private let termVectors: ScratchPointers      // the stages of the current stage sum with a non-zero weight
    private let termWeights: ScratchBuffer

    init(tableau: ButcherTableau, dimension: Int, parts: [[Range<Int>]], executor: TwoLaneExecutor = TwoLaneExecutor(concurrent: false)) {
        self.tableau = tableau
        self.dimension = dimension
        self.executor = executor
        self.parts = parts
        stages = (0..<tableau.stageCount).map { _ in ScratchBuffer(count: dimension) }
        stageInput = ScratchBuffer(count: dimension)
        termVectors = ScratchPointers(count: tableau.stageCount)
        termWeights = ScratchBuffer(count: tableau.stageCount)
    }

    /// The terms `h c_j k_j` for the stages `j` with `c_j ≠ 0`, gathered into `weights` and
    /// `vectors` (at least `coefficients.count` long).
    func weightedStages(_ coefficients: [Double], step h: Double, weights: ScratchBuffer, vectors: ScratchPointers) -> WeightedTerms {
        var used = 0
        for (j, coefficient) in coefficients.enumerated() where coefficient != 0 {
            weights.pointer[used] = h * coefficient
            vectors.pointer[used] = UnsafePointer(stages[j].pointer)
            used += 1
        }
        return WeightedTerms(weights: UnsafePointer(weights.pointer), vectors: UnsafePointer(vectors.pointer), count: used)
    }

    /// `output = base + h Σ_j c_j k_j` on both parts.
    private func combine(_ base: UnsafePointer<Double>, _ coefficients: [Double], step h: Double, into output: UnsafeMutablePointer<Double>) {
        let terms = weightedStages(coefficients, step: h, weights: termWeights, vectors: termVectors)
        executor.run { part in
            for range in self.parts[part] { terms.accumulate(onto: base, into: output, range: range) }
        }
    }

    /// Computes `y_new = y + h Σ b_i k_i`. When `firstStageReady`, `stages[0]` already holds
    /// `f(t, y)` (FSAL). For a first-same-as-last tableau the last stage is `f(t + h, y_new)`.
    /// Returns the number of right-hand-side evaluations made.
    @discardableResult
    func step(
        system: ODESystem, time t: Double, state y: UnsafePointer<Double>, stepSize h: Double,
        firstStageReady: Bool, output yNew: UnsafeMutablePointer<Double>
    ) -> Int {
        var evaluations = 0
        if !firstStageReady {
            system.evaluate(time: t, state: y, derivative: stages[0].pointer)
            evaluations += 1
        }
        let lastIntermediate = tableau.firstSameAsLast ? tableau.stageCount - 1 : tableau.stageCount
        let input = stageInput.pointer
        for i in 1..<lastIntermediate {
            combine(y, tableau.a[i], step: h, into: input)
            system.evaluate(time: t + tableau.c[i] * h, state: input, derivative: stages[i].pointer)
            evaluations += 1
        }
        combine(y, tableau.b, step: h, into: yNew)
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

    /// `executor`: as for ``DormandPrince5Stepper/init(system:options:executor:)``.
    init(system: ODESystem, tableau: ButcherTableau = .classicalRK4, stepSize: Double,
         executor: TwoLaneExecutor = TwoLaneExecutor(concurrent: false)) {
        self.system = system
        self.stepSize = stepSize
        dimension = system.dimension
        cache = RungeKuttaCache(tableau: tableau, dimension: dimension, parts: system.laneParts, executor: executor)
        interpolationCache = RungeKuttaCache(tableau: tableau, dimension: dimension, parts: system.laneParts, executor: executor)
        current = ScratchBuffer(count: dimension)
        previous = ScratchBuffer(count: dimension)
    }

    var state: UnsafeMutablePointer<Double> { current.pointer }

    /// Whether the vector loops and the right-hand side run on two threads.
    var usesTwoLanes: Bool { cache.executor.isConcurrent }
    var holdsOneOpenBLASThread: Bool { usesTwoLanes }

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

/// Weighted vectors `w_j v_j` to add to a base vector in one pass over memory instead of one
/// pass per term: `output[i] = ((base[i] + w_0 v_0[i]) + w_1 v_1[i]) + …`, added in that order,
/// so the result is the same, bit for bit, as adding the terms one pass at a time.
struct WeightedTerms: @unchecked Sendable {
    let weights: UnsafePointer<Double>
    let vectors: UnsafePointer<UnsafePointer<Double>>
    let count: Int

    /// `output[range] = base[range] + Σ_j w_j v_j[range]`; `base == nil` starts from zero (and
    /// `0 + x = x` exactly). In chunks of at most four terms per pass.
    func accumulate(onto base: UnsafePointer<Double>?, into output: UnsafeMutablePointer<Double>, range: Range<Int>) {
        guard count > 0 else {
            if let base { (output + range.lowerBound).update(from: base + range.lowerBound, count: range.count) } else {
                (output + range.lowerBound).update(repeating: 0, count: range.count)
            }
            return
        }
        var first = 0
        var source = base
        while first < count {
            let chunk = Swift.min(4, count - first)
            Self.pass(source, weights + first, vectors + first, chunk, output, range)
            source = UnsafePointer(output)
            first += chunk
        }
    }

    private static func pass(_ source: UnsafePointer<Double>?, _ w: UnsafePointer<Double>, _ v: UnsafePointer<UnsafePointer<Double>>,
                             _ chunk: Int, _ output: UnsafeMutablePointer<Double>, _ range: Range<Int>) {
        switch (chunk, source) {
        case (1, let s?):
            let w0 = w[0], v0 = v[0]
            for i in range { output[i] = s[i] + w0 * v0[i] }
        case (2, let s?):
            let w0 = w[0], w1 = w[1], v0 = v[0], v1 = v[1]
            for i in range { output[i] = (s[i] + w0 * v0[i]) + w1 * v1[i] }
        case (3, let s?):
            let w0 = w[0], w1 = w[1], w2 = w[2], v0 = v[0], v1 = v[1], v2 = v[2]
            for i in range { output[i] = ((s[i] + w0 * v0[i]) + w1 * v1[i]) + w2 * v2[i] }
        case (_, let s?):
            let w0 = w[0], w1 = w[1], w2 = w[2], w3 = w[3], v0 = v[0], v1 = v[1], v2 = v[2], v3 = v[3]
            for i in range { output[i] = (((s[i] + w0 * v0[i]) + w1 * v1[i]) + w2 * v2[i]) + w3 * v3[i] }
        case (1, nil):
            let w0 = w[0], v0 = v[0]
            for i in range { output[i] = w0 * v0[i] }
        case (2, nil):
            let w0 = w[0], w1 = w[1], v0 = v[0], v1 = v[1]
            for i in range { output[i] = w0 * v0[i] + w1 * v1[i] }
        case (3, nil):
            let w0 = w[0], w1 = w[1], w2 = w[2], v0 = v[0], v1 = v[1], v2 = v[2]
            for i in range { output[i] = (w0 * v0[i] + w1 * v1[i]) + w2 * v2[i] }
        case (_, nil):
            let w0 = w[0], w1 = w[1], w2 = w[2], w3 = w[3], v0 = v[0], v1 = v[1], v2 = v[2], v3 = v[3]
            for i in range { output[i] = ((w0 * v0[i] + w1 * v1[i]) + w2 * v2[i]) + w3 * v3[i] }
        }
    }
}
