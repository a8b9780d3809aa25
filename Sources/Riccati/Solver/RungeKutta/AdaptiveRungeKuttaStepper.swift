import Foundation

/// The adaptive integrator for any embedded Runge–Kutta pair (``ButcherTableau`` with an
/// ``EmbeddedErrorEstimate``), after Hairer's DOPRI5 and DOP853: the error norm of the pair's
/// estimate with scale `atol + rtol·max(|y|, |y_new|)`, PI step control with Lund stabilisation,
/// FSAL when the tableau says so, the tableau's continuous extension between steps, its
/// stiffness test (reported, or fatal with ``AdaptiveStepOptions/abortWhenStiff``), and the
/// first step of Hairer, Nørsett & Wanner I, §II.4.
///
/// Between steps the state is evaluated by the tableau's ``ContinuousExtension``; an FSAL pair
/// without one uses the cubic Hermite interpolant of `y` and `f` at both ends (the same form with
/// no further rows); a pair that is neither lands its steps on save times and re-runs a shortened
/// step from the start of the step for any other time, like ``FixedStepRungeKuttaStepper``.
final class AdaptiveRungeKuttaStepper: TimeStepper {
    let system: ODESystem
    let tableau: ButcherTableau
    let options: AdaptiveStepOptions
    let dimension: Int
    private let estimate: EmbeddedErrorEstimate
    /// The continuous extension used between steps (`nil`: re-run a shortened step).
    private let continuousExtension: ContinuousExtension?
    private let cache: RungeKuttaCache
    /// For a pair without a continuous extension: the shortened steps of ``interpolate(at:into:)``.
    private let interpolationCache: RungeKuttaCache?
    private let endpoints: StepEndpoints
    /// `r₁ … r_q` of the last accepted step.
    private let dense: ScratchBuffer
    /// Whether ``dense`` belongs to the last accepted step. It is computed lazily, only when a
    /// save time or an event falls inside the step (or for every step with `storeDenseOutput`).
    private var denseIsCurrent = false
    /// FSAL: the last stage of the accepted step becomes the next step's first at the start of
    /// the next ``advance(toAtMost:)`` (the stages stay in tableau order for the dense output).
    private var firstStageAwaitsSwap = false
    /// Per part, the error estimate of one range at a time (as long as the longest range), and
    /// the lower-order estimate of a corrected pair.
    private let partEstimates: [ScratchBuffer]
    private let partCorrections: [ScratchBuffer]
    /// Per part: the sums of squared scaled errors (estimate, correction), and the count of new
    /// entries that are not finite or beyond the divergence bound.
    /// (Buffers, not arrays: the two lanes write them concurrently.)
    private let partSums = ScratchBuffer(count: 4)
    private let partOutside = ScratchBuffer(count: 2)
    private let errorWeights: ScratchBuffer
    private let errorStages: ScratchPointers
    private let correctionWeights: ScratchBuffer
    private let correctionStages: ScratchPointers
    private let denseWeights: ScratchBuffer
    private let denseStages: ScratchPointers
    private var stepSize = 0.0
    private var maxStep = 0.0
    private var previousErrorFactor = 1e-4   // Hairer's FACOLD
    private var lastStepRejected = false
    private var attemptedSteps = 0
    private var stiffCount = 0                // Hairer's IASTI
    private var nonStiffCount = 0             // Hairer's NONSTI
    private var firstStageReady = false
    var statistics = IntegrationStatistics()
    let landsOnSaveTimes: Bool
    private(set) var advisory: String?
    /// Continuous extensions of all accepted steps, when ``AdaptiveStepOptions/storeDenseOutput``
    /// (and the pair has a continuous extension).
    private(set) var segments: [DenseOutputSegment] = []

    /// Throws ``RiccatiError`` when the tableau is invalid or has no error estimate, or an option
    /// is out of its domain. `executor`: as for ``FixedStepRungeKuttaStepper``.
    init(system: ODESystem, tableau: ButcherTableau, options: AdaptiveStepOptions,
         executor: TwoLaneExecutor = TwoLaneExecutor(concurrent: false)) throws(RiccatiError) {
        try tableau.validate()
        try options.validate()
        guard let estimate = tableau.errorEstimate else {
            throw .invalidParameter(name: "tableau.errorEstimate", value: "nil",
                                    reason: "is needed for adaptive steps (give a fixed step for a tableau without one)")
        }
        self.system = system
        self.tableau = tableau
        self.options = options
        self.estimate = estimate
        dimension = system.dimension
        continuousExtension = tableau.denseOutput ?? (tableau.firstSameAsLast ? ContinuousExtension(order: 3, rows: []) : nil)
        landsOnSaveTimes = continuousExtension == nil
        cache = RungeKuttaCache(tableau: tableau, dimension: dimension, parts: system.laneParts,
                                keepingInputOf: tableau.stiffnessTest?.earlierStage, executor: executor)
        interpolationCache = continuousExtension == nil
            ? RungeKuttaCache(tableau: tableau, dimension: dimension, parts: system.laneParts, executor: executor) : nil
        endpoints = StepEndpoints(dimension: dimension)
        dense = ScratchBuffer(count: (continuousExtension?.coefficientCount ?? 0) * dimension)
        let longestRange = system.laneParts.flatMap { $0 }.map(\.count).max() ?? 1
        partEstimates = [ScratchBuffer(count: longestRange), ScratchBuffer(count: longestRange)]
        let correctionLength = estimate.correction == nil ? 0 : longestRange
        partCorrections = [ScratchBuffer(count: correctionLength), ScratchBuffer(count: correctionLength)]
        let stages = tableau.extendedStageCount
        errorWeights = ScratchBuffer(count: stages)
        errorStages = ScratchPointers(count: stages)
        correctionWeights = ScratchBuffer(count: stages)
        correctionStages = ScratchPointers(count: stages)
        denseWeights = ScratchBuffer(count: stages)
        denseStages = ScratchPointers(count: stages)
    }

    var time: Double { endpoints.time }
    var previousTime: Double { endpoints.previousTime }
    var state: UnsafeMutablePointer<Double> { endpoints.current.pointer }
    var denseOutputSegments: [DenseOutputSegment] { segments }

    /// Whether the vector loops and the right-hand side run on two threads.
    var usesTwoLanes: Bool { cache.executor.isConcurrent }

    func start(time: Double, state: UnsafePointer<Double>, finalTime: Double) throws {
        try start(time: time, state: state, finalTime: finalTime, step: nil)
    }

    /// Starts (or restarts, keeping the statistics and the step count) at `(time, state)` with
    /// first step `step` (`nil`: ``AdaptiveStepOptions/initialStep`` or the heuristic).
    func start(time: Double, state: UnsafePointer<Double>, finalTime: Double, step: Double?) throws {
        endpoints.start(time: time, state: state)
        stiffCount = 0
        nonStiffCount = 0
        lastStepRejected = false
        previousErrorFactor = 1e-4
        maxStep = options.maxStep ?? Swift.max(finalTime - time, .leastNormalMagnitude)
        system.evaluate(time: time, state: endpoints.current.pointer, derivative: cache.stages[0].pointer)
        statistics.rhsEvaluations += 1
        firstStageReady = true
        firstStageAwaitsSwap = false
        stepSize = Swift.min(step ?? options.initialStep ?? initialStepSize(), maxStep)
        denseIsCurrent = false
    }

    /// For `auto` (``AutomaticStepper``): the stiffness test runs after every accepted step and
    /// only records its result here (no advisory); `nil` until it has run.
    var monitorsStiffness = false
    private(set) var lastStiffnessRatio: Double?
    /// The length of the step the controller proposes next.
    var proposedStep: Double { stepSize }
    /// `f` at the current state (valid between steps; the last stage of an FSAL pair's step).
    func currentSlope(into output: UnsafeMutablePointer<Double>) -> Bool {
        guard tableau.firstSameAsLast else { return false }
        let index = firstStageAwaitsSwap ? tableau.stageCount - 1 : 0
        guard firstStageAwaitsSwap || firstStageReady else { return false }
        output.update(from: cache.stages[index].pointer, count: dimension)
        return true
    }

    /// ``InitialStepSize`` for the pair's order.
    private func initialStepSize() -> Double {
        statistics.rhsEvaluations += 1
        return InitialStepSize.estimate(
            system: system, time: time, state: endpoints.current.pointer, slope: cache.stages[0].pointer,
            relativeTolerance: options.relativeTolerance, absoluteTolerance: options.absoluteTolerance, order: tableau.order,
            maxStep: maxStep, probe: endpoints.trial, probeSlope: cache.stages[1].pointer)
    }

    func advance(toAtMost limit: Double) throws {
        let n = dimension
        let rtol = options.relativeTolerance, atol = options.absoluteTolerance
        let errorExponent = estimate.errorExponent(beta: options.beta)   // Hairer's EXPO1
        let largestShrink = 1 / options.minFactor           // FACC1
        let largestGrowth = 1 / options.maxFactor           // FACC2
        if firstStageAwaitsSwap {
            cache.stages.swapAt(0, tableau.stageCount - 1)
            firstStageAwaitsSwap = false
        }
        while true {
            if attemptedSteps >= options.maxSteps {
                throw StepFailure(status: .maxStepsReached,
                                  message: "reached the maximum of \(options.maxSteps) steps at t = \(time); \(AdaptiveStepOptions.stepLimitAdvice)")
            }
            if stepSize < options.minStep || 0.1 * abs(stepSize) <= abs(time) * Double.ulpOfOne {
                throw StepFailure(status: .stepTooSmall,
                                  message: "step size \(stepSize) too small at t = \(time); the problem may be stiff or the state non-finite")
            }
            var h = stepSize
            // Hairer: stretch the last step to the end when within 1 %.
            if time + 1.01 * h - limit > 0 { h = limit - time }
            attemptedSteps += 1
            let y = UnsafePointer(endpoints.current.pointer), yNew = endpoints.trial
            statistics.rhsEvaluations += cache.step(
                system: system, time: time, state: y, stepSize: h, firstStageReady: firstStageReady, output: yNew)
            // A pair without FSAL evaluates its first stage anew after a step is accepted.
            firstStageReady = true
            let (error, diverged) = measureError(y: y, yNew: UnsafePointer(yNew), stepSize: h, rtol: rtol, atol: atol, dimension: n)
            guard error.isFinite else {
                // A non-finite trial (overflow inside the stages): shrink as much as allowed and retry.
                statistics.rejectedSteps += 1
                lastStepRejected = true
                stepSize = h * options.minFactor
                continue
            }
            let errorFactor = pow(error, errorExponent)                  // FAC11
            var factor = errorFactor / pow(previousErrorFactor, options.beta)
            factor = Swift.max(largestGrowth, Swift.min(largestShrink, factor / options.safety))
            if error <= 1 {
                var proposedStep = h / factor
                previousErrorFactor = Swift.max(error, 1e-4)
                statistics.acceptedSteps += 1
                try detectStiffness(stepSize: h)
                endpoints.accept(step: h, limit: limit)
                denseIsCurrent = false
                if tableau.firstSameAsLast { firstStageAwaitsSwap = true } else { firstStageReady = false }
                if options.storeDenseOutput, continuousExtension != nil {
                    computeContinuousExtension()
                    segments.append(DenseOutputSegment(startTime: previousTime, stepSize: h, coefficients: dense.array))
                }
                proposedStep = Swift.min(proposedStep, maxStep)
                if lastStepRejected { proposedStep = Swift.min(proposedStep, h) }
                lastStepRejected = false
                stepSize = proposedStep
                if diverged {
                    throw StepFailure.diverged(tableau.name, at: time)
                }
                return
            }
            statistics.rejectedSteps += 1
            lastStepRejected = true
            // The first stage f(t, y) is still valid and is kept.
            stepSize = h / Swift.min(largestShrink, errorFactor / options.safety)
        }
    }

    /// The error norm of the trial step (see ``EmbeddedErrorEstimate``) and whether an entry of
    /// `y_new` is not finite or beyond the divergence bound. The estimate `h Σ e_j k_j` is
    /// accumulated stage by stage (vectorisable) in the cache's two parts; the two partial sums
    /// are added in a fixed order.
    private func measureError(y: UnsafePointer<Double>, yNew: UnsafePointer<Double>, stepSize h: Double,
                              rtol: Double, atol: Double, dimension n: Int) -> (error: Double, diverged: Bool) {
        let estimates = (partEstimates[0].pointer, partEstimates[1].pointer)
        let errorTerms = cache.weightedStages(estimate.weights, step: h, weights: errorWeights, vectors: errorStages)
        let bound = FixedStepRungeKuttaStepper.divergenceBound
        let sums = partSums.pointer, outsideCounts = partOutside.pointer
        if let correction = estimate.correction {
            let corrections = (partCorrections[0].pointer, partCorrections[1].pointer)
            let correctionTerms = cache.weightedStages(correction.weights, step: h, weights: correctionWeights, vectors: correctionStages)
            cache.executor.run { part in
                var sum = 0.0, correctionSum = 0.0
                var outside = 0
                let estimate = part == 0 ? estimates.0 : estimates.1
                let lower = part == 0 ? corrections.0 : corrections.1
                for range in self.cache.parts[part] {
                    let local = estimate - range.lowerBound, localLower = lower - range.lowerBound
                    errorTerms.accumulate(onto: nil, into: local, range: range)
                    correctionTerms.accumulate(onto: nil, into: localLower, range: range)
                    for i in range {
                        let scale = atol + rtol * Swift.max(abs(y[i]), abs(yNew[i]))
                        let ratio = local[i] / scale, lowerRatio = localLower[i] / scale
                        sum += ratio * ratio
                        correctionSum += lowerRatio * lowerRatio
                        outside &+= abs(yNew[i]) <= bound ? 0 : 1
                    }
                }
                sums[2 * part] = sum
                sums[2 * part + 1] = correctionSum
                outsideCounts[part] = Double(outside)
            }
            let sum = sums[0] + sums[2], correctionSum = sums[1] + sums[3]
            let diverged = outsideCounts[0] + outsideCounts[1] > 0
            guard sum + correction.share * correctionSum > 0 else { return (sum.isNaN || correctionSum.isNaN ? .nan : 0, diverged) }
            return (sum / (Double(n) * (sum + correction.share * correctionSum)).squareRoot(), diverged)
        }
        cache.executor.run { part in
            var sum = 0.0
            var outside = 0
            // Each range's estimate goes to a small per-part buffer (it stays in L1 for the next loop).
            let estimate = part == 0 ? estimates.0 : estimates.1
            for range in self.cache.parts[part] {
                let local = estimate - range.lowerBound
                errorTerms.accumulate(onto: nil, into: local, range: range)
                for i in range {
                    let ratio = local[i] / (atol + rtol * Swift.max(abs(y[i]), abs(yNew[i])))
                    sum += ratio * ratio
                    outside &+= abs(yNew[i]) <= bound ? 0 : 1
                }
            }
            sums[2 * part] = sum
            outsideCounts[part] = Double(outside)
        }
        let errorSum = sums[0] + sums[2]
        let diverged = outsideCounts[0] + outsideCounts[1] > 0
        return ((errorSum / Double(n)).squareRoot(), diverged)
    }

    /// Hairer's test (``StiffnessTest``), after an accepted step and before its FSAL swap.
    private func detectStiffness(stepSize h: Double) throws {
        guard let test = tableau.stiffnessTest else { return }
        guard monitorsStiffness || statistics.acceptedSteps % options.stiffnessCheckInterval == 0 || stiffCount > 0 else { return }
        // Once reported (and not fatal), further checks could change nothing.
        guard monitorsStiffness || advisory == nil else { return }
        let n = dimension
        let later = cache.stages[test.laterStage].pointer, earlier = cache.stages[test.earlierStage].pointer
        let yNew = endpoints.trial, earlierInput = cache.keptInput.pointer
        var numerator = 0.0, denominator = 0.0
        for i in 0..<n {
            numerator += (later[i] - earlier[i]) * (later[i] - earlier[i])
            denominator += (yNew[i] - earlierInput[i]) * (yNew[i] - earlierInput[i])
        }
        guard denominator > 0 else { return }
        let stiffnessRatio = h * (numerator / denominator).squareRoot()
        if monitorsStiffness {
            lastStiffnessRatio = stiffnessRatio
            return
        }
        if stiffnessRatio > test.boundary {
            nonStiffCount = 0
            stiffCount += 1
            if stiffCount == test.detectionsToReport {
                let note = "the problem seems to become stiff at t = \(time)"
                if options.abortWhenStiff {
                    throw StepFailure(status: .probablyStiff, message: note)
                }
                if advisory == nil { advisory = note }
            }
        } else {
            nonStiffCount += 1
            if nonStiffCount == test.passesToReset { stiffCount = 0 }
        }
    }

    /// The continuous extension `r₁ … r_q` of the last accepted step (called after the step
    /// is accepted and before the next one: the stages are still in tableau order, the step's
    /// `y` is ``StepEndpoints/previous``). Evaluates the extra stages, if any, first.
    private func computeContinuousExtension() {
        guard let continuousExtension else { return }
        let n = dimension, h = endpoints.lastStepSize
        let y = UnsafePointer(endpoints.previous.pointer), yNew = UnsafePointer(endpoints.current.pointer)
        statistics.rhsEvaluations += cache.evaluateExtraStages(system: system, time: previousTime, state: y, stepSize: h)
        let r = dense.pointer
        let first = UnsafePointer(cache.stages[0].pointer), last = UnsafePointer(cache.stages[tableau.stageCount - 1].pointer)
        cache.executor.run { part in
            for range in self.cache.parts[part] {
                let r1 = r, r2 = r + n, r3 = r + 2 * n, r4 = r + 3 * n
                for i in range {
                    let increment = yNew[i] - y[i]
                    let startSlopeGap = h * first[i] - increment
                    r1[i] = y[i]
                    r2[i] = increment
                    r3[i] = startSlopeGap
                    r4[i] = increment - h * last[i] - startSlopeGap
                }
            }
        }
        for (m, row) in continuousExtension.rows.enumerated() {
            let terms = cache.weightedStages(row, step: h, weights: denseWeights, vectors: denseStages)
            let output = r + (4 + m) * n
            cache.executor.run { part in
                for range in self.cache.parts[part] { terms.accumulate(onto: nil, into: output, range: range) }
            }
        }
        denseIsCurrent = true
    }

    func interpolate(at t: Double, into output: UnsafeMutablePointer<Double>) throws {
        if endpoints.copyEndpoint(at: t, into: output) { return }
        if let continuousExtension {
            if !denseIsCurrent { computeContinuousExtension() }
            DenseOutputSegment.evaluate(theta: (t - previousTime) / endpoints.lastStepSize, coefficients: dense.pointer,
                                        count: continuousExtension.coefficientCount, dimension: dimension, into: output)
        } else if let interpolationCache {
            statistics.rhsEvaluations += interpolationCache.step(
                system: system, time: previousTime, state: endpoints.previous.pointer, stepSize: t - previousTime,
                firstStageReady: false, output: output)
        }
    }
}
