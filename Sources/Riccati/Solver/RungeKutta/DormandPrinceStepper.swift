import Foundation

/// Options of the adaptive Dormand–Prince 5(4) integrator. Defaults follow Hairer's `dopri5.f`.
public struct DormandPrinceOptions: Sendable, Equatable, Codable {
    /// Relative tolerance.
    public var relativeTolerance: Double = 1e-6
    /// Absolute tolerance.
    public var absoluteTolerance: Double = 1e-9
    /// First step; `nil` selects it by the heuristic of Hairer, Nørsett & Wanner (I, §II.4).
    public var initialStep: Double? = nil
    /// Largest step; `nil` means the whole interval.
    public var maxStep: Double? = nil
    /// Smallest step before the integration stops with ``IntegrationStatus/stepTooSmall``.
    /// Steps are also refused once `0.1·h ≤ |t|·ε` (DOPRI5's own test).
    public var minStep: Double = 0
    /// Maximum number of attempted steps (DOPRI5's `NMAX`).
    public var maxSteps: Int = 100_000
    /// Safety factor of the step-size controller.
    public var safety: Double = 0.9
    /// Lund stabilisation (PI control) parameter `β`; `0` gives the classical controller.
    public var beta: Double = 0.04
    /// Bounds of the step-size ratio `h_new/h`.
    public var minFactor: Double = 0.2
    public var maxFactor: Double = 10
    /// Check for stiffness every this many accepted steps (DOPRI5's `NSTIFF`).
    public var stiffnessCheckInterval: Int = 1000
    /// Stop with ``IntegrationStatus/probablyStiff`` when stiffness is detected, rather than
    /// only reporting it in the message (the default).
    public var abortWhenStiff = false
    /// Keep the continuous extension of every step, so that ``Solution/state(at:)`` interpolates
    /// instead of re-integrating. Costs `5·n` doubles per accepted step.
    public var storeDenseOutput = false

    public init(relativeTolerance: Double = 1e-6, absoluteTolerance: Double = 1e-9) {
        self.relativeTolerance = relativeTolerance
        self.absoluteTolerance = absoluteTolerance
    }

    func validate() throws(RiccatiError) {
        func positive(_ value: Double, _ name: String) throws(RiccatiError) {
            guard value.isFinite, value > 0 else { throw .invalidInput("\(name) must be finite and positive, got \(value)") }
        }
        try positive(relativeTolerance, "rtol")
        guard relativeTolerance < 1 else { throw .invalidInput("rtol must be below 1, got \(relativeTolerance)") }
        try positive(absoluteTolerance, "atol")
        if let h = initialStep { try positive(h, "initial step") }
        if let h = maxStep { try positive(h, "max step") }
        guard minStep.isFinite, minStep >= 0 else { throw .invalidInput("min step must be finite and ≥ 0, got \(minStep)") }
        guard maxSteps >= 1 else { throw .invalidInput("max steps must be ≥ 1, got \(maxSteps)") }
        guard safety > 0, safety < 1 else { throw .invalidInput("safety factor must lie in (0, 1), got \(safety)") }
        guard beta >= 0, beta <= 0.2 else { throw .invalidInput("beta must lie in [0, 0.2], got \(beta)") }
        guard minFactor > 0, minFactor < 1, maxFactor > 1, maxFactor.isFinite else {
            throw .invalidInput("step factor bounds must satisfy 0 < min < 1 < max")
        }
        guard stiffnessCheckInterval >= 1 else { throw .invalidInput("stiffness check interval must be ≥ 1") }
    }
}

/// One accepted Dormand–Prince step's continuous extension (Hairer's `CONTD5`):
/// `y(t₀ + θh) = r₁ + θ(r₂ + (1−θ)(r₃ + θ(r₄ + (1−θ) r₅)))`, fourth-order accurate.
struct DenseOutputSegment {
    var startTime: Double
    var stepSize: Double
    /// `r₁ … r₅`, each of the state's length, concatenated.
    var coefficients: [Double]

    func evaluate(at t: Double, dimension n: Int, into output: UnsafeMutablePointer<Double>) {
        coefficients.withUnsafeBufferPointer { r in
            Self.evaluate(theta: (t - startTime) / stepSize, coefficients: r.baseAddress!, dimension: n, into: output)
        }
    }

    /// The continuous extension at `θ ∈ [0, 1]` from coefficients `r₁ … r₅` (each of length `n`).
    static func evaluate(theta: Double, coefficients r: UnsafePointer<Double>, dimension n: Int, into output: UnsafeMutablePointer<Double>) {
        let theta1 = 1 - theta
        let r1 = r, r2 = r + n, r3 = r + 2 * n, r4 = r + 3 * n, r5 = r + 4 * n
        for i in 0..<n {
            output[i] = r1[i] + theta * (r2[i] + theta1 * (r3[i] + theta * (r4[i] + theta1 * r5[i])))
        }
    }
}

/// Adaptive Dormand–Prince 5(4) after Hairer's DOPRI5: RMS error norm with scale
/// `atol + rtol·max(|y|, |y_new|)`, PI step control with Lund stabilisation, FSAL, the free
/// fourth-order dense output, and stiffness detection (`h·λ̃ > 3.25` fifteen times; reported,
/// or fatal with ``DormandPrinceOptions/abortWhenStiff``).
final class DormandPrince5Stepper: TimeStepper {
    let system: ODESystem
    let options: DormandPrinceOptions
    let dimension: Int
    private let cache: RungeKuttaCache
    /// The accepted state; after a step, ``proposal`` holds the previous one (buffers are swapped, not copied).
    private var current: ScratchBuffer
    private var proposal: ScratchBuffer
    private let dense: ScratchBuffer          // r₁ … r₅ of the last accepted step
    /// Whether ``dense`` belongs to the last accepted step. It is computed lazily, only when a
    /// save time or an event falls inside the step (or for every step with `storeDenseOutput`).
    private var denseIsCurrent = false
    /// Per part, the error estimate of one range at a time (as long as the longest range).
    private let partEstimates: [ScratchBuffer]
    /// Per part: the sum of squared scaled errors, and the count of new entries that are not
    /// finite or beyond the divergence bound.
    /// (Buffers, not arrays: the two lanes write them concurrently.)
    private let partSums = ScratchBuffer(count: 2)
    private let partOutside = ScratchBuffer(count: 2)
    private let errorWeights = ScratchBuffer(count: 7)
    private let errorStages = ScratchPointers(count: 7)
    private(set) var time = 0.0
    private(set) var previousTime = 0.0
    private(set) var lastStepSize = 0.0
    private var stepSize = 0.0
    private var finalTime = 0.0
    private var maxStep = 0.0
    private var previousErrorFactor = 1e-4   // Hairer's FACOLD
    private var lastStepRejected = false
    private var attemptedSteps = 0
    private var stiffCount = 0                // Hairer's IASTI
    private var nonStiffCount = 0             // Hairer's NONSTI
    private var firstStageReady = false
    var statistics = IntegrationStatistics()
    let landsOnSaveTimes = false
    private(set) var advisory: String?
    /// Continuous extensions of all accepted steps, when ``DormandPrinceOptions/storeDenseOutput``.
    private(set) var segments: [DenseOutputSegment] = []

    /// `executor` runs the vector loops in two parts (on two threads when it is concurrent; give
    /// the system the same executor); the results are the same either way.
    init(system: ODESystem, options: DormandPrinceOptions, executor: TwoLaneExecutor = TwoLaneExecutor(concurrent: false)) {
        self.system = system
        self.options = options
        dimension = system.dimension
        cache = RungeKuttaCache(tableau: .dormandPrince54, dimension: dimension, parts: system.laneParts, executor: executor)
        current = ScratchBuffer(count: dimension)
        proposal = ScratchBuffer(count: dimension)
        dense = ScratchBuffer(count: 5 * dimension)
        let longestRange = system.laneParts.flatMap { $0 }.map(\.count).max() ?? 1
        partEstimates = [ScratchBuffer(count: longestRange), ScratchBuffer(count: longestRange)]
    }

    var state: UnsafeMutablePointer<Double> { current.pointer }

    /// Whether the vector loops and the right-hand side run on two threads.
    var usesTwoLanes: Bool { cache.executor.isConcurrent }
    var holdsOneOpenBLASThread: Bool { usesTwoLanes }

    func start(time: Double, state: UnsafePointer<Double>, finalTime: Double) throws {
        self.time = time
        previousTime = time
        self.finalTime = finalTime
        current.copy(from: state)
        maxStep = options.maxStep ?? Swift.max(finalTime - time, .leastNormalMagnitude)
        system.evaluate(time: time, state: current.pointer, derivative: cache.stages[0].pointer)
        statistics.rhsEvaluations += 1
        firstStageReady = true
        stepSize = Swift.min(options.initialStep ?? initialStepSize(), maxStep)
        denseIsCurrent = false
    }

    /// Hairer, Nørsett & Wanner, "Solving ODEs I", §II.4 (the algorithm of DOPRI5's `HINIT`),
    /// with the same RMS norm as the error control.
    private func initialStepSize() -> Double {
        let n = dimension
        let y = current.pointer, f0 = cache.stages[0].pointer
        let rtol = options.relativeTolerance, atol = options.absoluteTolerance
        var stateNorm = 0.0, slopeNorm = 0.0
        for i in 0..<n {
            let scale = atol + rtol * abs(y[i])
            stateNorm += (y[i] / scale) * (y[i] / scale)
            slopeNorm += (f0[i] / scale) * (f0[i] / scale)
        }
        stateNorm = (stateNorm / Double(n)).squareRoot()
        slopeNorm = (slopeNorm / Double(n)).squareRoot()
        var h0 = (stateNorm < 1e-5 || slopeNorm < 1e-5) ? 1e-6 : 0.01 * stateNorm / slopeNorm
        h0 = Swift.min(h0, maxStep)
        // One explicit Euler step, then a finite-difference estimate of the second derivative.
        let probe = proposal.pointer, probeSlope = cache.stages[1].pointer
        for i in 0..<n { probe[i] = y[i] + h0 * f0[i] }
        system.evaluate(time: time + h0, state: probe, derivative: probeSlope)
        statistics.rhsEvaluations += 1
        var curvature = 0.0
        for i in 0..<n {
            let scale = atol + rtol * abs(y[i])
            let difference = (probeSlope[i] - f0[i]) / scale
            curvature += difference * difference
        }
        curvature = (curvature / Double(n)).squareRoot() / h0
        let largest = Swift.max(curvature, slopeNorm)
        let h1 = largest <= 1e-15 ? Swift.max(1e-6, h0 * 1e-3) : pow(0.01 / largest, 1.0 / 5.0)
        return Swift.min(100 * h0, h1, maxStep)
    }

    func advance(toAtMost limit: Double) throws {
        let n = dimension
        let rtol = options.relativeTolerance, atol = options.absoluteTolerance
        let errorExponent = 0.2 - 0.75 * options.beta      // Hairer's EXPO1
        let largestShrink = 1 / options.minFactor           // FACC1
        let largestGrowth = 1 / options.maxFactor           // FACC2
        let e = ButcherTableau.dormandPrince54.errorWeights!
        while true {
            if attemptedSteps >= options.maxSteps {
                throw StepFailure(status: .maxStepsReached,
                                  message: "reached the maximum of \(options.maxSteps) steps at t = \(time); raise the step limit or loosen rtol/atol")
            }
            if stepSize < options.minStep || 0.1 * abs(stepSize) <= abs(time) * Double.ulpOfOne {
                throw StepFailure(status: .stepTooSmall,
                                  message: "step size \(stepSize) too small at t = \(time); the problem may be stiff or the state non-finite")
            }
            var h = stepSize
            // DOPRI5: stretch the last step to the end when within 1 %.
            if time + 1.01 * h - limit > 0 { h = limit - time }
            attemptedSteps += 1
            statistics.rhsEvaluations += cache.step(
                system: system, time: time, state: current.pointer, stepSize: h,
                firstStageReady: firstStageReady, output: proposal.pointer)
            firstStageReady = true
            let y = UnsafePointer(current.pointer), yNew = UnsafePointer(proposal.pointer)
            // Local error estimate h Σ e_j k_j, accumulated stage by stage (vectorisable), its RMS
            // norm, and the divergence check of y_new, in the cache's two parts; the two partial
            // sums are added in a fixed order.
            let estimates = (partEstimates[0].pointer, partEstimates[1].pointer)
            let errorTerms = cache.weightedStages(e, step: h, weights: errorWeights, vectors: errorStages)
            let bound = FixedStepRungeKuttaStepper.divergenceBound
            cache.executor.run { part in
                var sum = 0.0
                var outside = 0
                // Each range's estimate goes to a small per-part buffer (it stays in L1 for the next loop).
                let estimate = (part == 0 ? estimates.0 : estimates.1)
                for range in self.cache.parts[part] {
                    let local = estimate - range.lowerBound
                    errorTerms.accumulate(onto: nil, into: local, range: range)
                    for i in range {
                        let ratio = local[i] / (atol + rtol * Swift.max(abs(y[i]), abs(yNew[i])))
                        sum += ratio * ratio
                        outside &+= abs(yNew[i]) <= bound ? 0 : 1
                    }
                }
                self.partSums.pointer[part] = sum
                self.partOutside.pointer[part] = Double(outside)
            }
            let errorSum = partSums.pointer[0] + partSums.pointer[1]
            let diverged = partOutside.pointer[0] + partOutside.pointer[1] > 0
            let error = (errorSum / Double(n)).squareRoot()
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
                // FSAL: f(t + h, y_new) becomes the next step's first stage. The old first stage
                // and the old state stay available (in slot 6 and in `proposal`) for the dense output.
                cache.stages.swapAt(0, 6)
                Swift.swap(&current, &proposal)
                denseIsCurrent = false
                if options.storeDenseOutput {
                    computeContinuousExtension(stepSize: h)
                    segments.append(DenseOutputSegment(startTime: time, stepSize: h, coefficients: dense.array))
                }
                previousTime = time
                time = (h == limit - time) ? limit : time + h
                lastStepSize = h
                proposedStep = Swift.min(proposedStep, maxStep)
                if lastStepRejected { proposedStep = Swift.min(proposedStep, h) }
                lastStepRejected = false
                stepSize = proposedStep
                if diverged {
                    throw StepFailure(status: .nonFiniteState,
                                      message: "dopri5 diverged (a state entry beyond ±\(FixedStepRungeKuttaStepper.divergenceBound) or not finite) at t = \(time)")
                }
                return
            }
            statistics.rejectedSteps += 1
            lastStepRejected = true
            // The first stage f(t, y) is still valid and is kept.
            stepSize = h / Swift.min(largestShrink, errorFactor / options.safety)
        }
    }


    /// Hairer's test: `h·‖k₇ − k₆‖/‖y_new − y₆‖ > 3.25` in fifteen checks signals stiffness;
    /// six negative checks in a row reset the count.
    private func detectStiffness(stepSize h: Double) throws {
        guard statistics.acceptedSteps % options.stiffnessCheckInterval == 0 || stiffCount > 0 else { return }
        // Once reported (and not fatal), further checks could change nothing.
        guard advisory == nil else { return }
        let n = dimension
        let k6 = cache.stages[5].pointer, k7 = cache.stages[6].pointer
        let yNew = proposal.pointer, y6 = cache.stageInput.pointer
        var numerator = 0.0, denominator = 0.0
        for i in 0..<n {
            numerator += (k7[i] - k6[i]) * (k7[i] - k6[i])
            denominator += (yNew[i] - y6[i]) * (yNew[i] - y6[i])
        }
        guard denominator > 0 else { return }
        let stiffnessRatio = h * (numerator / denominator).squareRoot()
        if stiffnessRatio > 3.25 {
            nonStiffCount = 0
            stiffCount += 1
            if stiffCount == 15 {
                let note = "the problem seems to become stiff at t = \(time)"
                if options.abortWhenStiff {
                    throw StepFailure(status: .probablyStiff, message: note)
                }
                if advisory == nil { advisory = note }
            }
        } else {
            nonStiffCount += 1
            if nonStiffCount == 6 { stiffCount = 0 }
        }
    }

    /// Hairer's dense output coefficients for the last accepted step (called after the FSAL
    /// swap: the step's `y` is in `proposal`, its `k₁` in slot 6 and its `k₇` in slot 0).
    private func computeContinuousExtension(stepSize h: Double) {
        let n = dimension
        let d = ButcherTableau.dormandPrinceDenseOutput
        let y = proposal.pointer, yNew = current.pointer, r = dense.pointer
        let k1 = cache.stages[6].pointer, k3 = cache.stages[2].pointer, k4 = cache.stages[3].pointer
        let k5 = cache.stages[4].pointer, k6 = cache.stages[5].pointer, k7 = cache.stages[0].pointer
        let w1 = h * d[0], w3 = h * d[2], w4 = h * d[3], w5 = h * d[4], w6 = h * d[5], w7 = h * d[6]
        let r1 = r, r2 = r + n, r3 = r + 2 * n, r4 = r + 3 * n, r5 = r + 4 * n
        for i in 0..<n {
            let increment = yNew[i] - y[i]
            let startSlopeGap = h * k1[i] - increment
            r1[i] = y[i]
            r2[i] = increment
            r3[i] = startSlopeGap
            r4[i] = increment - h * k7[i] - startSlopeGap
            r5[i] = w1 * k1[i] + w3 * k3[i] + w4 * k4[i] + w5 * k5[i] + w6 * k6[i] + w7 * k7[i]
        }
        denseIsCurrent = true
    }

    func interpolate(at t: Double, into output: UnsafeMutablePointer<Double>) throws {
        if t == time { output.update(from: current.pointer, count: dimension); return }
        if !denseIsCurrent { computeContinuousExtension(stepSize: lastStepSize) }
        DenseOutputSegment.evaluate(
            theta: (t - previousTime) / lastStepSize, coefficients: dense.pointer, dimension: dimension, into: output)
    }
}
