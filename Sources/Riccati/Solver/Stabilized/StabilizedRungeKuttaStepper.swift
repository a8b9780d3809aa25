import Foundation

/// The adaptive integrator of the stabilised explicit methods (``StabilizedTableau``: ROCK2,
/// ROCK4), for problems whose Jacobian has its spectrum on or near the negative real axis, such
/// as every gradient flow.
///
/// Each step estimates nothing new unless asked: the spectral radius `ρ` comes from
/// ``SpectralRadiusEstimator`` at the start, after every rejected step and every
/// ``StabilizedStepOptions/spectralRadiusInterval`` accepted steps; the step's stage count is then
/// the fewest whose stability interval covers `h·ρ` (rounded up to a tabulated degree), and a step
/// that would need more than ``StabilizedStepOptions/maxStages`` is shortened. Error control and
/// step-size control are described at ``StabilizedStepOptions``.
///
/// `f(y_{n+1})` is evaluated once per step (it is the next step's first stage, and for ROCK4 part
/// of the error estimate), so a step of `s` stages costs `s` evaluations.
///
/// Steps end exactly on save times, and the state inside a step (for event location) is computed
/// by re-running the step, shortened, from its start (`s` evaluations; as accurate as a step).
/// No polynomial interpolant is used: on a stiff component the method leaves a small offset from
/// the slow manifold, which `f` multiplies by the stiff rate, so an interpolant built from the
/// slopes at the ends (cubic Hermite) would be off by `h·|λ|·offset`, measured as errors of 1e-2
/// where the steps themselves were accurate to 1e-5.
///
/// A dominant eigenvalue away from the real axis is outside these methods' design: when the power
/// iteration's Ritz pair is complex, more than about 25° off the real axis, and the step would put
/// its imaginary part beyond `h·|Im λ| = 1`, the integration stops with
/// ``IntegrationStatus/spectrumNotReal`` (the saves reached are kept). A real pair that does not
/// settle (`+λ` against `−λ` of about the same size, as during an escape) is not refused: the
/// largest ratio seen is used.
final class StabilizedRungeKuttaStepper: TimeStepper {
    let system: ODESystem
    let tableau: StabilizedTableau
    let options: StabilizedStepOptions
    let dimension: Int
    private let executor: TwoLaneExecutor
    private let parts: [[Range<Int>]]
    private let endpoints: StepEndpoints
    /// `f` at the previous time, at the current time, and at the trial `y_{n+1}` (rotated on acceptance).
    private var previousSlope: ScratchBuffer
    private var currentSlope: ScratchBuffer
    private var trialSlope: ScratchBuffer
    /// The recurrence's three most recent vectors (rotated within a step).
    private var recurrenceBuffers: [ScratchBuffer]
    private let stageSlope: ScratchBuffer
    private let finishingSlopes: [ScratchBuffer]
    private let stageInput: ScratchBuffer
    /// Pointers to ``finishingSlopes`` and the step's scaled coefficients (no allocation per step).
    private let slopePointers: ScratchPointers
    private let scaledCoefficients: ScratchBuffer
    private let partSums = ScratchBuffer(count: 2)
    private let partOutside = ScratchBuffer(count: 2)
    /// The degree index of the last accepted step (its re-runs use the same stages).
    private var lastDegreeIndex = 0
    private let estimator: SpectralRadiusEstimator
    private let largestStages: Int
    /// Whether the error estimate uses `f(y_{n+1})` (then it is evaluated before the test).
    private let errorUsesEndSlope: Bool

    private var stepSize = 0.0
    private var maxStep = 0.0
    private var spectralRadius = 0.0
    private var estimateIsDue = true
    private var acceptedSinceEstimate = 0
    private var attemptedSteps = 0
    private var lastStepRejected = false
    private var previousError = 0.0
    private var previousAcceptedStep = 0.0
    var statistics = IntegrationStatistics()
    let landsOnSaveTimes = true
    let advisory: String? = nil

    /// The stage count of the last accepted step.
    private(set) var lastStageCount = 0
    /// The last spectral-radius estimate (with its safety factor) and the step it allowed.
    var currentSpectralRadius: Double { spectralRadius }
    var proposedStep: Double { stepSize }

    /// Throws ``RiccatiError`` when an option is out of its domain. `executor` runs the vector
    /// loops in the system's two parts (give the system the same executor).
    init(system: ODESystem, tableau: StabilizedTableau, options: StabilizedStepOptions,
         executor: TwoLaneExecutor = TwoLaneExecutor(concurrent: false)) throws(RiccatiError) {
        try options.validate(largestStages: tableau.maximumStages, smallestStages: tableau.minimumStages)
        self.system = system
        self.tableau = tableau
        self.options = options
        self.executor = executor
        let n = system.dimension
        dimension = n
        parts = system.laneParts
        endpoints = StepEndpoints(dimension: n)
        previousSlope = ScratchBuffer(count: n)
        currentSlope = ScratchBuffer(count: n)
        trialSlope = ScratchBuffer(count: n)
        recurrenceBuffers = (0..<3).map { _ in ScratchBuffer(count: n) }
        stageSlope = ScratchBuffer(count: n)
        finishingSlopes = (0..<tableau.finishingStageCount).map { _ in ScratchBuffer(count: n) }
        stageInput = ScratchBuffer(count: dimension)
        slopePointers = ScratchPointers(count: tableau.finishingStageCount)
        for (index, buffer) in finishingSlopes.enumerated() { slopePointers.pointer[index] = UnsafePointer(buffer.pointer) }
        scaledCoefficients = ScratchBuffer(count: tableau.finishingStageCount + 1)
        estimator = SpectralRadiusEstimator(dimension: dimension)
        largestStages = options.maxStages ?? tableau.maximumStages
        let f = tableau.finishingStageCount
        errorUsesEndSlope = stride(from: f, to: tableau.errorWeights.count, by: f + 1).contains { tableau.errorWeights[$0] != 0 }
    }

    var time: Double { endpoints.time }
    var previousTime: Double { endpoints.previousTime }
    var state: UnsafeMutablePointer<Double> { endpoints.current.pointer }

    func start(time: Double, state: UnsafePointer<Double>, finalTime: Double) throws {
        try start(time: time, state: state, finalTime: finalTime, slope: nil, step: nil)
    }

    /// Starts at `(time, state)`; `slope`, when given, is `f(time, state)` (not evaluated again),
    /// and `step` the first step to try (instead of ``StabilizedStepOptions/initialStep`` or the
    /// heuristic).
    func start(time: Double, state: UnsafePointer<Double>, finalTime: Double, slope: UnsafePointer<Double>?, step: Double?) throws {
        endpoints.start(time: time, state: state)
        maxStep = options.maxStep ?? Swift.max(finalTime - time, .leastNormalMagnitude)
        if let slope {
            currentSlope.copy(from: slope)
        } else {
            system.evaluate(time: time, state: endpoints.current.pointer, derivative: currentSlope.pointer)
            statistics.rhsEvaluations += 1
        }
        previousSlope.copy(from: currentSlope.pointer)
        estimateIsDue = true
        lastStepRejected = false
        previousError = 0
        try refreshSpectralRadius()
        stepSize = Swift.min(step ?? options.initialStep ?? initialStepSize(), maxStep)
    }

    /// ``InitialStepSize`` for the method's order, its Euler probe kept within `1/ρ`.
    private func initialStepSize() -> Double {
        statistics.rhsEvaluations += 1
        return InitialStepSize.estimate(
            system: system, time: time, state: endpoints.current.pointer, slope: currentSlope.pointer,
            relativeTolerance: options.relativeTolerance, absoluteTolerance: options.absoluteTolerance, order: tableau.order,
            maxStep: maxStep, probeCap: spectralRadius > 0 ? 1 / spectralRadius : .infinity,
            probe: stageInput.pointer, probeSlope: stageSlope.pointer)
    }

    /// Runs the power iteration at the current state (unless a bound was given) and checks that
    /// the dominant eigenvalue is one these methods are designed for.
    private func refreshSpectralRadius() throws {
        estimateIsDue = false
        acceptedSinceEstimate = 0
        if let bound = options.spectralRadius {
            spectralRadius = bound
            return
        }
        let estimate = estimator.estimate(system: system, time: time, state: endpoints.current.pointer,
                                          slope: currentSlope.pointer, floor: 1 / maxStep)
        statistics.rhsEvaluations += estimate.evaluations
        statistics.spectralRadiusEstimates += 1
        guard estimate.radius.isFinite else {
            throw StepFailure(status: .nonFiniteState,
                              message: "\(tableau.name): the spectral-radius estimate at t = \(time) is not finite (the state or the vector field is)")
        }
        spectralRadius = estimate.radius
        statistics.largestSpectralRadius = Swift.max(statistics.largestSpectralRadius, spectralRadius)
        dominantImaginaryPart = estimate.imaginaryPart
        dominantPairModulus = estimate.pairModulus
        dominantSettled = estimate.converged
    }

    /// The imaginary part of the last estimate's Ritz pair (0: real), and whether it settled.
    private var dominantImaginaryPart = 0.0
    private var dominantPairModulus = 0.0
    private var dominantSettled = true

    /// Throws when a step of length `h` would place the dominant eigenvalue, as far as the power
    /// iteration saw it, outside the strip around the real axis that the methods are stable in.
    private func checkDominantEigenvalue(stepSize h: Double) throws {
        guard options.spectralRadius == nil, dominantImaginaryPart > 0 else { return }
        let modulus = dominantPairModulus
        guard dominantImaginaryPart > 0.42 * modulus, h * dominantImaginaryPart > 1 else { return }
        let degrees = asin(Swift.min(1, dominantImaginaryPart / modulus)) * 180 / .pi
        throw StepFailure(
            status: .spectrumNotReal,
            message: "\(tableau.name): at t = \(time) the Jacobian's dominant eigenvalues are a complex pair about \(String(format: "%.0f", degrees))° off the real axis (|λ| ≈ \(String(format: "%.3g", modulus)), |Im λ| ≈ \(String(format: "%.3g", dominantImaginaryPart))\(dominantSettled ? "" : ", the power iteration did not settle")), so a step of \(String(format: "%.3g", h)) would put h·|Im λ| ≈ \(String(format: "%.3g", h * dominantImaginaryPart)) outside the strip around the negative real axis the stabilised methods are stable in; use dopri5 or dop853")
    }

    func advance(toAtMost limit: Double) throws {
        let exponent = 1 / Double(tableau.embeddedOrder + 1)
        while true {
            if attemptedSteps >= options.maxSteps {
                throw StepFailure(status: .maxStepsReached,
                                  message: "reached the maximum of \(options.maxSteps) steps at t = \(time); \(StabilizedStepOptions.stepLimitAdvice)")
            }
            if 0.1 * abs(stepSize) <= abs(time) * Double.ulpOfOne || !(stepSize > 0) {
                throw StepFailure(status: .stepTooSmall,
                                  message: "step size \(stepSize) too small at t = \(time); the state may be non-finite")
            }
            if estimateIsDue { try refreshSpectralRadius() }
            var h = stepSize
            if time + 1.01 * h - limit > 0 { h = limit - time }
            // The most stages allowed bound the step.
            let largestCovered = tableau.largestStiffness(stages: largestStages)
            if h * spectralRadius > largestCovered { h = largestCovered / spectralRadius }
            try checkDominantEigenvalue(stepSize: h)
            let stages = Swift.min(tableau.stagesNeeded(stiffness: h * spectralRadius), largestStages)
            let degreeIndex = tableau.degreeIndex(stages: stages)
            attemptedSteps += 1
            let (error, diverged) = takeStep(from: endpoints.current.pointer, slope: currentSlope.pointer, time: time, stepSize: h,
                                             degreeIndex: degreeIndex, output: endpoints.trial, estimatingError: true)
            guard error.isFinite else {
                statistics.rejectedSteps += 1
                lastStepRejected = true
                estimateIsDue = true
                stepSize = h * options.minFactor
                continue
            }
            if error <= 1 {
                var factor = options.safety * pow(Swift.max(error, 1e-10), -exponent)
                if previousError > 0, previousAcceptedStep > 0, !lastStepRejected {
                    // Gustafsson's predictive controller, the smaller of the two proposals.
                    let predictive = factor * (h / previousAcceptedStep) * pow(previousError / Swift.max(error, 1e-10), exponent)
                    factor = Swift.min(factor, predictive)
                }
                factor = Swift.max(options.minFactor, Swift.min(lastStepRejected ? 1 : options.maxFactor, factor))
                previousError = Swift.max(error, 1e-10)
                previousAcceptedStep = h
                lastDegreeIndex = degreeIndex
                accept(stepSize: h, limit: limit, stages: tableau.degrees[degreeIndex] + tableau.finishingStageCount)
                stepSize = Swift.min(h * factor, maxStep)
                lastStepRejected = false
                acceptedSinceEstimate += 1
                if acceptedSinceEstimate >= options.spectralRadiusInterval { estimateIsDue = true }
                if diverged {
                    throw StepFailure.diverged(tableau.name, at: time)
                }
                return
            }
            statistics.rejectedSteps += 1
            lastStepRejected = true
            estimateIsDue = true
            stepSize = h * Swift.max(options.minFactor, options.safety * pow(error, -exponent))
        }
    }

    private func accept(stepSize h: Double, limit: Double, stages: Int) {
        if !errorUsesEndSlope {
            system.evaluate(time: time + h, state: endpoints.trial, derivative: trialSlope.pointer)
            statistics.rhsEvaluations += 1
        }
        endpoints.accept(step: h, limit: limit)
        let oldPrevious = previousSlope
        previousSlope = currentSlope
        currentSlope = trialSlope
        trialSlope = oldPrevious
        statistics.acceptedSteps += 1
        statistics.stabilizedSteps += 1
        statistics.stabilizedStages += stages
        statistics.largestStageCount = Swift.max(statistics.largestStageCount, stages)
        lastStageCount = stages
    }

    /// Runs `body` over each part's ranges (on two threads when the executor is concurrent).
    private func forEachRange(_ body: @escaping (Range<Int>) -> Void) {
        let parts = self.parts
        executor.run { part in
            for range in parts[part] { body(range) }
        }
    }

    /// One step of length `h` from `(t, y)` (`slope = f(t, y)`) with the degree of index
    /// `degreeIndex`: writes `y_{n+1}` into `output`. With `estimatingError` (a trial step) it also
    /// writes `f(y_{n+1})` into the trial slope when the error estimate needs it, and returns the
    /// error norm and whether an entry of `y_{n+1}` left the divergence bound; without, it returns
    /// `(0, false)` (a re-run for ``interpolate(at:into:)``).
    private func takeStep(from state: UnsafeMutablePointer<Double>, slope: UnsafeMutablePointer<Double>, time t: Double,
                          stepSize h: Double, degreeIndex: Int, output yNew: UnsafeMutablePointer<Double>,
                          estimatingError: Bool) -> (error: Double, diverged: Bool) {
        let y = UnsafePointer(state)
        let f0 = UnsafePointer(slope)
        let m = tableau.degrees[degreeIndex]
        let start = tableau.recurrenceStarts[degreeIndex]
        let coefficients = tableau.recurrence
        // g₁ = y + hμ₁ f(y) into buffer 0; g_j (j ≥ 2) into buffer (j − 1) mod 3, from
        // g_{j−1} (buffer (j − 2) mod 3) and g_{j−2} (y for j = 2, else buffer (j − 3) mod 3).
        let mu1 = h * coefficients[start]
        do {
            let g1 = recurrenceBuffers[0].pointer
            forEachRange { range in for i in range { g1[i] = y[i] + mu1 * f0[i] } }
        }
        var olderTime = t, newerTime = t + mu1
        let k = stageSlope.pointer
        for j in stride(from: 2, through: m, by: 1) {
            let mu = h * coefficients[start + 2 * (j - 2) + 1], kappa = coefficients[start + 2 * (j - 2) + 2]
            let previous = UnsafePointer(recurrenceBuffers[(j - 2) % 3].pointer)
            let beforePrevious = j == 2 ? y : UnsafePointer(recurrenceBuffers[(j - 3) % 3].pointer)
            let output = recurrenceBuffers[(j - 1) % 3].pointer
            system.evaluate(time: newerTime, state: previous, derivative: k)
            forEachRange { range in
                for i in range { output[i] = mu * k[i] + (1 + kappa) * previous[i] - kappa * beforePrevious[i] }
            }
            (olderTime, newerTime) = (newerTime, mu + (1 + kappa) * newerTime - kappa * olderTime)
        }
        statistics.rhsEvaluations += m - 1
        // The finishing procedure from g_m.
        let gm = UnsafePointer(recurrenceBuffers[(m - 1) % 3].pointer), finishingTime = newerTime
        let f = tableau.finishingStageCount
        let (matrix, weights, errorWeights) = tableau.finishing(degreeIndex: degreeIndex)
        let slopes = slopePointers.pointer, scaled = scaledCoefficients.pointer
        var row = matrix.startIndex
        for stage in 0..<f {
            var offset = 0.0
            if stage > 0 {
                let stageInput = self.stageInput.pointer
                for j in 0..<stage {
                    scaled[j] = h * matrix[row + j]
                    offset += matrix[row + j]
                }
                row += stage
                forEachRange { range in
                    for i in range { stageInput[i] = gm[i] }
                    for j in 0..<stage {
                        let a = scaled[j], kj = slopes[j]
                        for i in range { stageInput[i] += a * kj[i] }
                    }
                }
            }
            system.evaluate(time: finishingTime + offset * h, state: stage == 0 ? gm : UnsafePointer(stageInput.pointer),
                            derivative: finishingSlopes[stage].pointer)
        }
        statistics.rhsEvaluations += f
        for j in 0..<f { scaled[j] = h * weights[weights.startIndex + j] }
        forEachRange { range in
            for i in range { yNew[i] = gm[i] }
            for j in 0..<f {
                let b = scaled[j], kj = slopes[j]
                for i in range { yNew[i] += b * kj[i] }
            }
        }
        guard estimatingError else { return (0, false) }
        if errorUsesEndSlope {
            system.evaluate(time: t + h, state: yNew, derivative: trialSlope.pointer)
            statistics.rhsEvaluations += 1
        }
        for j in 0...f { scaled[j] = h * errorWeights[errorWeights.startIndex + j] }
        let scaledErrors = UnsafePointer(scaled)
        let endSlope = UnsafePointer(trialSlope.pointer)
        let usesEnd = errorUsesEndSlope
        let rtol = options.relativeTolerance, atol = options.absoluteTolerance
        let bound = FixedStepRungeKuttaStepper.divergenceBound
        let sums = partSums.pointer, outsideCounts = partOutside.pointer
        let parts = self.parts
        executor.run { part in
            var sum = 0.0
            var outside = 0
            for range in parts[part] {
                for i in range {
                    var estimate = 0.0
                    for j in 0..<f { estimate += scaledErrors[j] * slopes[j][i] }
                    if usesEnd { estimate += scaledErrors[f] * endSlope[i] }
                    let ratio = estimate / (atol + rtol * Swift.max(abs(y[i]), abs(yNew[i])))
                    sum += ratio * ratio
                    outside &+= abs(yNew[i]) <= bound ? 0 : 1
                }
            }
            sums[part] = sum
            outsideCounts[part] = Double(outside)
        }
        let error = ((sums[0] + sums[1]) / Double(Swift.max(dimension, 1))).squareRoot()
        return (error, outsideCounts[0] + outsideCounts[1] > 0)
    }

    func interpolate(at t: Double, into output: UnsafeMutablePointer<Double>) throws {
        if endpoints.copyEndpoint(at: t, into: output) { return }
        _ = takeStep(from: endpoints.previous.pointer, slope: previousSlope.pointer, time: previousTime, stepSize: t - previousTime,
                     degreeIndex: lastDegreeIndex, output: output, estimatingError: false)
    }
}
