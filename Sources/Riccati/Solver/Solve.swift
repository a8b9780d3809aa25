import Foundation
import LinearAlgebra

/// The most fixed-length steps (RK4, or exact-propagator steps at their cap) one ``solve`` may
/// take: beyond this a call would run for hours, so it is refused up front. DOPRI5 has its own
/// ``DormandPrinceOptions/maxSteps``.
public let maximumFixedSteps = 1e9

func checkStepBudget(_ problem: OverlapProblem, method: IntegrationMethod) throws(RiccatiError) {
    let steps: Double
    switch method {
    case .rungeKutta4(let step), .rungeKutta(_, let step?, _):
        steps = problem.finalTime / step
    case .exact(let options):
        var h = options.maxStep ?? .infinity
        if problem.spectrum.largest > 0 { h = Swift.min(h, options.stepExponentCap / (8 * problem.spectrum.largest)) }
        steps = h.isFinite ? problem.finalTime / h : 0
    case .dormandPrince, .dormandPrince853, .rungeKutta:
        return
    }
    guard !(steps > maximumFixedSteps) else {
        throw .invalidInput(String(format: "t_end = %g would take %.3g %@ steps (more than 1e9): shorten --t-end or enlarge --step",
                                   problem.finalTime, steps, method.name))
    }
}

/// Whether an explicit integrator of this size runs its two parts on two threads when allowed:
/// from `r_s · r ≥ 16384`. Measured with dopri5 (median of 3, `d = 4096`, `T = 500`; seconds with
/// 1 and 2 threads): `r_s = 16, r = 64`: 0.025 and 0.135; `r_s = 32, r = 128`: 0.119 and 0.204;
/// `r_s = 32, r = 256`: 0.224 and 0.288; `r_s = 64, r = 256`: 0.82 and 0.63. Below the threshold
/// the hand-over of data between the cores costs more than the halved arithmetic saves.
func explicitMethodsUseTwoLanes(studentWidth rs: Int, teacherWidth r: Int) -> Bool {
    rs * r >= 16384 && rs >= 2
}

func makeStepper(method: IntegrationMethod, spectrum: TeacherSpectrum, studentWidth rs: Int, threads: Int = 1) throws(RiccatiError) -> TimeStepper {
    let executor = TwoLaneExecutor(concurrent: threads >= 2 && explicitMethodsUseTwoLanes(studentWidth: rs, teacherWidth: spectrum.count)
                                       && method.isExplicit)
    switch method {
    case .rungeKutta4, .dormandPrince, .dormandPrince853, .rungeKutta:
        return try method.makeStepper(system: OverlapVectorField(spectrum: spectrum, studentWidth: rs, executor: executor),
                                      executor: executor)
    case .exact(let options):
        try options.validate()
        if options.factorization == .lq { return try LQPropagatorStepper(spectrum: spectrum, studentWidth: rs, options: options) }
        return try ExactPropagatorStepper(spectrum: spectrum, studentWidth: rs, options: options)
    }
}

/// Integrates the overlap ODE of `problem` with `method`.
///
/// Throws for invalid input (before any work). An integration that fails part-way returns a
/// ``Solution`` whose ``Solution/status`` says why; a linear-algebra failure inside a step
/// (for instance a non-finite `K_h`) is reported the same way.
///
/// `locateEscapes: false` skips the escape-time search (``Solution/escapeTimes`` is then all
/// `nil`): with the exact propagator each located escape costs a few extra closed-form steps,
/// which dominates wide sweeps that only need the risk.
///
/// `threads` (1 or 2) is for the explicit methods: RK4 and Dormand–Prince always evaluate the
/// right-hand side and do their vector arithmetic in two fixed parts (``OverlapVectorField``,
/// ``ODESystem/laneParts``); with 2 threads, from `r_s · r ≥ 16384`, the parts run concurrently on
/// a worker thread of their own, OpenBLAS single-threaded. The results are identical, bit for
/// bit, for 1 and 2. The exact propagators decide by themselves (two halves from `r_s = 128`).
///
/// During RK4 and Dormand–Prince integrations the calling thread (and the worker lane) flush
/// subnormal numbers to zero (``FloatingPointMode/withSubnormalsFlushed(_:)``; the previous mode is
/// restored afterwards): the overlaps of directions the student never learns decay through the
/// subnormal range, where x86 arithmetic is many times slower. Each flushed value changes by less
/// than 2.2e-308.
///
/// `shouldStop` is asked after every step; when it says yes the integration ends there with
/// status ``IntegrationStatus/interrupted`` and the saves reached so far.
public func solve(_ problem: OverlapProblem, method: IntegrationMethod, locateEscapes: Bool = true, threads: Int = 1,
                  shouldStop: (() -> Bool)? = nil) throws(RiccatiError) -> Solution {
    let rs = problem.studentWidth, r = problem.teacherWidth
    guard threads == 1 || threads == 2 else { throw .invalidInput("threads must be 1 or 2, got \(threads)") }
    try checkStepBudget(problem, method: method)
    let stepper = try makeStepper(method: method, spectrum: problem.spectrum, studentWidth: rs, threads: threads)
    // A Cholesky propagator that splits its work over two threads of its own runs OpenBLAS
    // single-threaded for the whole solve (no thread switching per step; the same bits for any
    // OpenBLAS thread count).
    // Already single-threaded (for instance inside a sweep, which holds the claim): no claim, so
    // that a sweep's worker threads never wait for the claim of the thread that started them.
    // The LQ propagator runs its LAPACK single-threaded (bit-identical results), so it too holds
    // one OpenBLAS thread for the whole solve instead of switching twice per step.
    // Explicit methods on two lanes likewise (each lane's GEMMs single-threaded).
    let ownThreads = stepper.holdsOneOpenBLASThread && BLAS.threadCount > 1
    let blasThreads = ownThreads ? BLAS.claimThreadCount(1) : 0
    defer { if ownThreads { BLAS.releaseThreadCount(blasThreads) } }
    let initial = problem.initialState.packed
    let detector = EscapeTimeDetector(spectrum: problem.spectrum, studentWidth: rs, initialState: initial, initialTime: 0)
    var output: DriverOutput
    do {
        output = try method.inFloatingPointMode {
            try IntegrationDriver.run(
                stepper: stepper, initialTime: 0, initialState: initial, finalTime: problem.finalTime,
                saveTimes: problem.saveTimes, afterStep: locateEscapes ? { try detector.inspect($0) } : nil,
                shouldStop: shouldStop)
        }
    } catch let error as RiccatiError {
        // A linear-algebra failure mid-run is a runtime failure, not bad input.
        guard case .linearAlgebra(let underlying) = error else { throw error }
        output = DriverOutput()
        output.status = .nonFiniteState
        output.message = "linear algebra failed during the integration: \(underlying.description)"
        output.statistics = stepper.statistics
    } catch {
        throw .invalidInput("\(error)")
    }
    let evaluator = try ObservableEvaluator(spectrum: problem.spectrum, studentWidth: rs)
    var states: [OverlapState] = []
    var observables: [Observables] = []
    var times = output.times
    for (index, packed) in output.states.enumerated() {
        // A finite state can still be too large to evaluate (its squares overflow): that is a
        // diverged integration, reported as such with the saves before it kept.
        let evaluated = packed.withUnsafeBufferPointer { (y) -> Observables? in
            guard let values = try? evaluator.evaluate(packed: y.baseAddress!), values.risk.isFinite else { return nil }
            return values
        }
        guard let values = evaluated else {
            times.removeSubrange(index...)
            output.status = .nonFiniteState
            output.message = "the state at t = \(output.times[index]) is too large to evaluate (the integration diverged)"
                + (method.divergenceHint.map { "; \($0)" } ?? "")
            break
        }
        packed.withUnsafeBufferPointer { states.append(OverlapState(packed: $0.baseAddress!, studentWidth: rs, teacherWidth: r)) }
        observables.append(values)
    }
    let segments = stepper.denseOutputSegments
    return Solution(
        method: method, spectrum: problem.spectrum, initialState: problem.initialState, finalTime: problem.finalTime,
        times: times, states: states, observables: observables,
        escapeTimes: locateEscapes ? detector.escapeTimes : [Double?](repeating: nil, count: r),
        riskFloor: problem.spectrum.widthFloor(studentWidth: rs), status: output.status, message: output.message,
        statistics: output.statistics, denseSegments: segments)
}
