/// The stage vectors of an explicit Runge–Kutta tableau and the arithmetic of one step, shared by
/// ``AdaptiveRungeKuttaStepper`` and ``FixedStepRungeKuttaStepper``.
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
    /// `stages[i]` holds `k_i` (the tableau's stages, then the dense output's extra stages).
    /// Steppers may swap entries (FSAL) instead of copying.
    var stages: [ScratchBuffer]
    /// Input of the stage being evaluated.
    let stageInput: ScratchBuffer
    /// The input of stage ``keptInputStage`` (the stiffness test's earlier stage), in a buffer of
    /// its own so that it survives the stages after it.
    let keptInput: ScratchBuffer
    let keptInputStage: Int?
    private let termVectors: ScratchPointers      // the stages of the current stage sum with a non-zero weight
    private let termWeights: ScratchBuffer

    init(tableau: ButcherTableau, dimension: Int, parts: [[Range<Int>]], keepingInputOf keptInputStage: Int? = nil,
         executor: TwoLaneExecutor = TwoLaneExecutor(concurrent: false)) {
        self.tableau = tableau
        self.dimension = dimension
        self.executor = executor
        self.parts = parts
        self.keptInputStage = keptInputStage
        let count = tableau.extendedStageCount
        // At least two: the adaptive stepper's first-step heuristic probes the slope in stage 1.
        stages = (0..<Swift.max(count, 2)).map { _ in ScratchBuffer(count: dimension) }
        stageInput = ScratchBuffer(count: dimension)
        keptInput = ScratchBuffer(count: keptInputStage == nil ? 0 : dimension)
        termVectors = ScratchPointers(count: count)
        termWeights = ScratchBuffer(count: count)
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

    /// `output = base + h Σ_j c_j k_j` on both parts (`base == nil`: from zero).
    func combine(_ base: UnsafePointer<Double>?, _ coefficients: [Double], step h: Double, into output: UnsafeMutablePointer<Double>) {
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
        for i in 1..<Swift.max(lastIntermediate, 1) {
            let input = i == keptInputStage ? keptInput.pointer : stageInput.pointer
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

    /// Evaluates the dense output's extra stages of the step of length `h` from `(t, y)` (after
    /// ``step``, before any FSAL swap). Returns the number of right-hand-side evaluations made.
    func evaluateExtraStages(system: ODESystem, time t: Double, state y: UnsafePointer<Double>, stepSize h: Double) -> Int {
        guard let extension_ = tableau.denseOutput else { return 0 }
        let s = tableau.stageCount
        for (m, node) in extension_.extraNodes.enumerated() {
            combine(y, extension_.extraA[m], step: h, into: stageInput.pointer)
            system.evaluate(time: t + node * h, state: stageInput.pointer, derivative: stages[s + m].pointer)
        }
        return extension_.extraNodes.count
    }
}
